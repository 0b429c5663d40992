import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@manifold/logger';
import {
  extractTraceContext,
  injectTraceContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@manifold/telemetry';
import { ByteBudget } from '../http/byte-budget';
import { IngestionError } from '../http/errors';
import type { ProxyTrust } from '../http/proxy-trust';
import { readBody } from '../http/read-body';
import { sendError, sendJson } from '../http/respond';
import { writeKeyFromAuthorization, writeKeyFromBody } from '../http/write-key';
import type { IngestionMetrics } from '../metrics';
import { recordClientMetrics } from './client-metrics';
import type { Attempt, Ingestor } from './ingestor';
import { processBatch, processCall, type ProcessedBody } from './process-body';
import type { TrackingRoute } from './routes';
import { isPlainObject } from './validate';

export interface RequestLimits {
  maxCallBytes: number;
  maxBatchBytes: number;
  maxBatchItems: number;
  /**
   * What the events of one batch may add up to once its shared `context` and `integrations` are
   * merged into every item: without it, a small batch with a large shared context expands into
   * thousands of copies of it.
   */
  maxBatchEventBytes: number;
  /** Request bodies being received at once, all requests together (decoded bytes). */
  maxReceivingBytes: number;
}

export interface TrackingHandlerDeps {
  ingestor: Ingestor;
  proxyTrust: ProxyTrust;
  metrics: IngestionMetrics;
  tracer: Tracer;
  logger: Logger;
  limits: RequestLimits;
}

const OK_BODY = '{"success":true}';

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  // Some clients start UTF-8 bodies with a byte-order mark, which JSON.parse refuses.
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  try {
    parsed = JSON.parse(body.toString('utf8', start));
  } catch (error) {
    throw IngestionError.badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw IngestionError.badRequest('the body must be a JSON object');
  return parsed;
}

type Context = ReturnType<typeof extractTraceContext>;

/**
 * The hot path: POST /v1/{identify,track,...,batch,...}. Plain node:http, no framework, since
 * this runs for every event. A 200 is sent only once Kafka acknowledged every accepted event.
 */
export function createTrackingHandler(deps: TrackingHandlerDeps) {
  const { ingestor, proxyTrust, metrics, tracer, logger, limits } = deps;
  const batchLimits = {
    maxItems: limits.maxBatchItems,
    maxItemBytes: limits.maxCallBytes,
    maxEventBytes: limits.maxBatchEventBytes,
  };
  const receiving = new ByteBudget(limits.maxReceivingBytes);

  async function ingest(
    req: IncomingMessage,
    route: TrackingRoute,
    parent: Context,
    span: Span,
    attempt: Attempt,
  ): Promise<string> {
    const receivedAtMs = Date.now();
    const body = await readBody(req, route.kind === 'batch' ? limits.maxBatchBytes : limits.maxCallBytes, receiving);
    const parsed = parseJsonObject(body);
    attempt.body = parsed;
    if (route.kind === 'client-metrics') {
      recordClientMetrics(parsed, metrics);
      return OK_BODY;
    }
    const writeKey = writeKeyFromAuthorization(req.headers.authorization) ?? writeKeyFromBody(parsed);
    const source = ingestor.authenticate(writeKey);
    attempt.source = source;
    span.setAttribute('manifold.source_id', source.id);
    // authenticate() returned, so there is a key.
    ingestor.checkRateLimit(writeKey as string);
    ingestor.checkCapacity();

    const facts = { receivedAtMs, receivedAt: new Date(receivedAtMs).toISOString(), ip: proxyTrust.clientIp(req) };
    const processed: ProcessedBody =
      route.kind === 'call'
        ? processCall(parsed, body.length, route.type, facts)
        : processBatch(parsed, body.length, batchLimits, facts);
    span.setAttribute('manifold.events.accepted', processed.accepted.length);
    span.setAttribute('manifold.events.rejected', processed.rejected.length);

    const traceHeaders: Record<string, string> = {};
    injectTraceContext(traceHeaders, trace.setSpan(parent, span));
    attempt.handedOver = true;
    await ingestor.publish(source, processed, traceHeaders);

    const { rejected, accepted } = processed;
    if (rejected.length === 0) return OK_BODY;
    if (route.kind === 'call') {
      const only = rejected[0] as (typeof rejected)[number];
      throw new IngestionError(400, only.code, only.message);
    }
    const items = rejected.map(({ index, code, message }) => ({ index, code, message }));
    if (accepted.length === 0) {
      throw new IngestionError(400, 'empty_batch_result', 'no call in the batch was valid', {}, { rejected: items });
    }
    // 200, so that SDKs do not send the accepted calls again; the list says what was dropped.
    return JSON.stringify({
      success: true,
      code: 'multi_user_error',
      message: `${rejected.length} of ${rejected.length + accepted.length} calls were rejected; the others were accepted`,
      rejected: items,
    });
  }

  return function handleTracking(req: IncomingMessage, res: ServerResponse, route: TrackingRoute): void {
    const startedAt = performance.now();
    const parentContext = extractTraceContext(req.headers);
    const span = tracer.startSpan(
      `POST ${route.name}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': route.name } },
      parentContext,
    );
    const attempt: Attempt = { handedOver: false };
    ingest(req, route, parentContext, span, attempt).then(
      (body) => {
        sendJson(req, res, 200, body);
        finish(200);
      },
      (error: unknown) => {
        if (error instanceof IngestionError) {
          if (!attempt.handedOver) ingestor.reportRefused(error, attempt.source, attempt.body);
          sendError(req, res, error);
          finish(error.status, error.message);
          return;
        }
        logger.error({ err: error, route: route.name }, 'request failed unexpectedly');
        const internal = new IngestionError(500, 'unavailable', 'internal error; retry later');
        sendError(req, res, internal);
        finish(500, String(error));
      },
    );

    function finish(status: number, message?: string): void {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
      metrics.http.record('POST', route.name, status, startedAt);
    }
  };
}
