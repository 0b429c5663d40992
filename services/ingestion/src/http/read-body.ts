import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { ByteBudget } from './byte-budget';
import { IngestionError } from './errors';

/** Formats a byte limit the way Segment's docs state them (32 KB, 500 KB). */
export function formatLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

function tooLarge(limit: number): IngestionError {
  // The rest of an oversized body is not read, so the connection cannot be reused.
  return IngestionError.badRequest(`the body is larger than the limit of ${formatLimit(limit)}`, {
    connection: 'close',
  });
}

function decoderFor(encoding: string | undefined): Gunzip | Inflate | undefined {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return undefined;
  const normalized = encoding.trim().toLowerCase();
  if (normalized === 'gzip' || normalized === 'x-gzip') return createGunzip();
  if (normalized === 'deflate') return createInflate();
  throw IngestionError.badRequest(`Content-Encoding "${encoding}" is not supported; use gzip or none`);
}

function overBudget(): IngestionError {
  // Retried by every SDK; as for an oversized body, the rest is not read.
  return new IngestionError(503, 'unavailable', 'too many request bodies are being received at once; retry later', {
    'retry-after': '1',
    connection: 'close',
  });
}

/**
 * Reads a request body, inflating gzip or deflate, and fails as soon as the decoded body passes
 * `limit` bytes, so a small compressed body cannot expand into a large one in memory. Every
 * decoded byte is also taken from `budget` (shared by all requests) while the body is being
 * received, and given back when it is complete or has failed.
 */
export function readBody(req: IncomingMessage, limit: number, budget: ByteBudget): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  let decoder: Gunzip | Inflate | undefined;
  try {
    decoder = decoderFor(req.headers['content-encoding']);
  } catch (error) {
    req.resume();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  if (!decoder && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  const source = decoder ? req.pipe(decoder) : req;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: IngestionError): void => {
      if (done) return;
      done = true;
      budget.give(size);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      req.resume();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > limit) return fail(tooLarge(limit));
      if (!budget.tryTake(chunk.length)) return fail(overBudget());
      size += chunk.length;
      chunks.push(chunk);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      budget.give(size);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    source.on('error', (error: Error) =>
      fail(
        decoder
          ? IngestionError.badRequest(`the compressed body could not be decoded: ${error.message}`)
          : IngestionError.badRequest(`the body could not be read: ${error.message}`),
      ),
    );
    if (decoder) req.on('error', (error: Error) => fail(IngestionError.badRequest(error.message)));
    // A client that goes away mid-body leaves neither 'end' nor always 'error' behind.
    req.on('close', () => {
      if (!req.complete) fail(IngestionError.badRequest('the request was aborted before its body was complete'));
    });
  });
}
