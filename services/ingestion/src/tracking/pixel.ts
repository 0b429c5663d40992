import type { Logger } from '@manifold/logger';
import type { Tracer } from '@manifold/telemetry';
import { Router } from 'express';
import { IngestionError } from '../http/errors';
import type { ProxyTrust } from '../http/proxy-trust';
import type { Ingestor } from './ingestor';
import { startRequestSpan } from './request-span';

// A 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export interface PixelRoutesOptions {
  ingestor: Ingestor;
  proxyTrust: ProxyTrust;
  logger: Logger;
  tracer: Tracer;
  maxCallBytes: number;
}

/** `?data=` holds the call as JSON, base64-encoded or not (docs/event-spec.md#pixel). */
function decodeData(raw: unknown, maxBytes: number): Buffer {
  if (typeof raw !== 'string' || raw === '') throw IngestionError.badRequest('the data query parameter is missing');
  const text = raw.trimStart();
  const json = text.startsWith('{') ? Buffer.from(text) : Buffer.from(text, 'base64');
  if (json.length > maxBytes) throw IngestionError.badRequest('the call is larger than the per-call limit');
  return json;
}

/**
 * `GET /v1/pixel/<type>?data=...` for email opens and the like: always a 200 with a transparent
 * GIF, even on error (an image tag cannot show one). The ingestor counts every refusal and shows
 * it in the debugger; only unexpected failures are logged here.
 */
export function pixelRoutes(options: PixelRoutesOptions): Router {
  const router = Router();
  const { ingestor, proxyTrust, logger, tracer } = options;

  router.get('/v1/pixel/:type', (req, res) => {
    const requestSpan = startRequestSpan(tracer, req.headers, 'GET', '/v1/pixel');
    const { span } = requestSpan;
    requestSpan.run(() =>
      ingestor
        .ingest({
          shape: { kind: 'call', type: String(req.params['type']) },
          readBody: () => decodeData(req.query['data'], options.maxCallBytes),
          authorization: req.headers.authorization,
          receivedAtMs: Date.now(),
          clientIp: proxyTrust.clientIp(req),
          trace: requestSpan,
        })
        .catch((error: unknown) => {
          if (!(error instanceof IngestionError)) logger.error({ err: error }, 'pixel call failed');
        })
        .finally(() => {
          span.end();
          res.set('cache-control', 'no-store').type('image/gif').send(PIXEL);
        }),
    );
  });

  return router;
}
