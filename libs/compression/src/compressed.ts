import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** One response body in the encodings a browser may ask for. */
export interface CompressedBody {
  identity: Buffer;
  gzip?: Buffer | undefined;
  br?: Buffer | undefined;
}

export interface CompressOptions {
  /** 0..11: 11 for files compressed once and kept; lower for bodies compressed often. */
  brotliQuality?: number;
}

/** Gzip and brotli variants of a body, compressed off the event loop (zlib's thread pool). */
export async function compressBody(body: Buffer, options: CompressOptions = {}): Promise<CompressedBody> {
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: options.brotliQuality ?? 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
    gzipAsync(body, { level: 9 }),
  ]);
  return { identity: body, gzip: gz, br };
}

/**
 * Sends the variant the request accepts (brotli, then gzip, else as is), with `Content-Encoding`
 * and `Vary: Accept-Encoding` so caches keep the variants apart. Content type and caching headers
 * are the caller's.
 */
export function sendCompressed(req: Request, res: Response, body: CompressedBody): void {
  res.vary('Accept-Encoding');
  // Our preference, not the header's order: browsers list gzip first but all take brotli, which is smaller.
  const accepts = (encoding: string) => req.acceptsEncodings(encoding) === encoding;
  if (body.br && accepts('br')) {
    res.set('content-encoding', 'br').send(body.br);
  } else if (body.gzip && accepts('gzip')) {
    res.set('content-encoding', 'gzip').send(body.gzip);
  } else {
    res.send(body.identity);
  }
}
