import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@manifold/logger';
import { SpanStatusCode, type Tracer } from '@manifold/telemetry';
import type { ByteBudget } from '../http/byte-budget';
import { IngestionError } from '../http/errors';
import type { ProxyTrust } from '../http/proxy-trust';
import { readBody } from '../http/read-body';
import { sendError, sendJson } from '../http/respond';
import type { IngestionMetrics } from '../metrics';
import type { Ingested, Ingestor } from './ingestor';
import type { RequestLimits } from './request-limits';
import { startRequestSpan } from './request-span';
import type { TrackingRoute } from './routes';

export interface TrackingHandlerDeps {
  ingestor: Ingestor;
  proxyTrust: ProxyTrust;
  metrics: IngestionMetrics;
  tracer: Tracer;
  logger: Logger;
  limits: RequestLimits;
  /** The bytes of every body being received at once (`limits.maxReceivingBytes`), shared with the webhook route. */
  receiving: ByteBudget;
}

const OK_BODY = '{"success":true}';

/**
 * The 200 body for a request whose valid events are in Kafka, or the error to answer when none
 * of its calls was valid. A batch with only some calls refused is a 200 (so that SDKs do not
 * send the accepted ones again) listing what was dropped. Events a tracking plan blocked were
 * valid and are stored (in quarantine): the sender has nothing to fix or resend for them.
 */
function answerFor(route: TrackingRoute, { accepted, blocked, rejected }: Ingested): string | IngestionError {
  if (rejected.length === 0) return OK_BODY;
  if (route.kind === 'call') {
    const only = rejected[0] as (typeof rejected)[number];
    return new IngestionError(400, only.code, only.message);
  }
  const valid = accepted + blocked;
  if (valid === 0) {
    return new IngestionError(400, 'empty_batch_result', 'no call in the batch was valid', {}, { rejected });
  }
  return JSON.stringify({
    success: true,
    code: 'multi_user_error',
    message: `${rejected.length} of ${rejected.length + valid} calls were rejected; the others were accepted`,
    rejected,
  });
}

/**
 * The hot path: POST /v1/{identify,track,...,batch,...}. Plain node:http, no framework, since
 * this runs for every event: it opens the request's span, hands the request to the ingestor and
 * turns the outcome into the answer. A 200 is sent only once Kafka acknowledged every accepted event.
 */
export function createTrackingHandler(deps: TrackingHandlerDeps) {
  const { ingestor, proxyTrust, metrics, tracer, logger, limits, receiving } = deps;

  return function handleTracking(req: IncomingMessage, res: ServerResponse, route: TrackingRoute): void {
    const startedAt = performance.now();
    const receivedAtMs = Date.now();
    const requestSpan = startRequestSpan(tracer, req.headers, 'POST', route.name);
    const { span } = requestSpan;
    const bodyLimit = route.kind === 'batch' ? limits.maxBatchBytes : limits.maxCallBytes;

    const finish = (status: number, message?: string): void => {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
      metrics.http.record('POST', route.name, status, startedAt);
    };
    const fail = (error: unknown): void => {
      if (error instanceof IngestionError) {
        sendError(req, res, error);
        finish(error.status, error.message);
        return;
      }
      logger.error({ err: error, route: route.name }, 'request failed unexpectedly');
      sendError(req, res, new IngestionError(500, 'unavailable', 'internal error; retry later'));
      finish(500, String(error));
    };

    requestSpan.run(() =>
      ingestor
        .ingest({
          shape: route,
          readBody: () => readBody(req, bodyLimit, receiving),
          authorization: req.headers.authorization,
          receivedAtMs,
          clientIp: proxyTrust.clientIp(req),
          trace: requestSpan,
        })
        .then((ingested) => {
          const answer = answerFor(route, ingested);
          if (typeof answer !== 'string') return fail(answer);
          sendJson(req, res, 200, answer);
          finish(200);
        }, fail),
    );
  };
}
