import { isCallType } from '@manifold/events';
import { injectTraceContext } from '@manifold/telemetry';
import type { Logger } from '@manifold/logger';
import { Router, type Request } from 'express';
import { IngestionError } from '../http/errors';
import type { ProxyTrust } from '../http/proxy-trust';
import { writeKeyFromAuthorization, writeKeyFromBody } from '../http/write-key';
import { parseJsonObject } from './handler';
import type { Attempt, Ingestor } from './ingestor';
import { processCall } from './process-body';

// A 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export interface PixelRoutesOptions {
  ingestor: Ingestor;
  proxyTrust: ProxyTrust;
  logger: Logger;
  maxCallBytes: number;
}

/** `?data=` holds the call as JSON, base64-encoded or not (segment-spec.md §1.1). */
function decodeData(raw: unknown, maxBytes: number): Buffer {
  if (typeof raw !== 'string' || raw === '') throw IngestionError.badRequest('the data query parameter is missing');
  const text = raw.trimStart();
  const json = text.startsWith('{') ? Buffer.from(text) : Buffer.from(text, 'base64');
  if (json.length > maxBytes) throw IngestionError.badRequest('the call is larger than the per-call limit');
  return json;
}

/**
 * `GET /v1/pixel/<type>?data=...` for email opens and the like: always a 200 with a transparent
 * GIF, even on error (an image tag cannot show one); errors are counted and shown in the debugger.
 */
export function pixelRoutes(options: PixelRoutesOptions): Router {
  const router = Router();
  const { ingestor, proxyTrust } = options;

  const ingest = async (req: Request, attempt: Attempt): Promise<void> => {
    const type = String(req.params['type']);
    if (!isCallType(type)) throw IngestionError.badRequest(`unknown call type ${type}`);
    const json = decodeData(req.query['data'], options.maxCallBytes);
    const call = parseJsonObject(json);
    attempt.body = call;
    const writeKey = writeKeyFromAuthorization(req.headers.authorization) ?? writeKeyFromBody(call);
    const source = ingestor.authenticate(writeKey);
    attempt.source = source;
    ingestor.checkRateLimit(writeKey as string);
    const receivedAtMs = Date.now();
    const processed = processCall(call, json.length, type, {
      receivedAtMs,
      receivedAt: new Date(receivedAtMs).toISOString(),
      ip: proxyTrust.clientIp(req),
    });
    const traceHeaders: Record<string, string> = {};
    injectTraceContext(traceHeaders);
    attempt.handedOver = true;
    await ingestor.publish(source, processed, traceHeaders);
  };

  router.get('/v1/pixel/:type', (req, res) => {
    const attempt: Attempt = { handedOver: false };
    ingest(req, attempt)
      .catch((error: unknown) => {
        if (error instanceof IngestionError) {
          if (!attempt.handedOver) ingestor.reportRefused(error, attempt.source, attempt.body);
        } else {
          options.logger.error({ err: error }, 'pixel call failed');
        }
      })
      .finally(() => {
        res.set('cache-control', 'no-store').type('image/gif').send(PIXEL);
      });
  });

  return router;
}
