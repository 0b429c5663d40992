import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigView, SourceConfig } from '@manifold/config-client';
import { MappingError } from '@manifold/destination-kit';
import type { Logger } from '@manifold/logger';
import { SpanStatusCode, type Tracer } from '@manifold/telemetry';
import type { LiveDebugger } from '../debugger/live-debugger';
import type { ByteBudget } from '../http/byte-budget';
import { IngestionError } from '../http/errors';
import { readBody } from '../http/read-body';
import { sendError, sendJson } from '../http/respond';
import type { IngestionMetrics } from '../metrics';
import type { Ingestor } from '../tracking/ingestor';
import { parseJsonObject } from '../tracking/parse-json-object';
import { startRequestSpan } from '../tracking/request-span';
import { WEBHOOK_APPS } from './apps';
import type { WebhookApp } from './delivery';
import { verifyDelivery } from './verify-delivery';
import { webhookSource } from './webhook-source';

export const WEBHOOK_PATH = '/v1/webhook/';
const ROUTE_NAME = '/v1/webhook';

export interface WebhookHandlerDeps {
  configView: ConfigView;
  ingestor: Ingestor;
  liveDebugger: LiveDebugger;
  metrics: IngestionMetrics;
  tracer: Tracer;
  logger: Logger;
  /** A delivery's body limit (the Tracking API's batch limit). */
  maxBodyBytes: number;
  /** Shared with the Tracking API: every body being received takes from it. */
  receiving: ByteBudget;
}

/**
 * The token of `/v1/webhook/<token>` (query string and one trailing slash ignored): a source id
 * (the stable URL) or a write key (the first form).
 */
export function webhookKey(url: string): string | undefined {
  if (!url.startsWith(WEBHOOK_PATH)) return undefined;
  const query = url.indexOf('?');
  let key = url.slice(WEBHOOK_PATH.length, query === -1 ? undefined : query);
  if (key.endsWith('/')) key = key.slice(0, -1);
  if (key === '' || key.includes('/')) return undefined;
  try {
    return decodeURIComponent(key);
  } catch {
    return undefined;
  }
}

/**
 * `POST /v1/webhook/<source id or write key>`: a cloud app's own delivery. The source is found by
 * the URL (apps cannot send a write key of their own), the signature checked on the bytes
 * received, and the delivery translated into Spec calls, which then take the Tracking API's path
 * (validation, enrichment, rate limit, Kafka, debugger) as a batch. A delivery of a kind no
 * translation reads is answered 200 and counted, so that the app does not retry it.
 */
export function createWebhookHandler(deps: WebhookHandlerDeps) {
  const { configView, ingestor, liveDebugger, metrics, tracer, logger } = deps;

  /** Counts and shows a delivery refused before translation (bad signature, bad JSON). */
  const refuse = (source: SourceConfig, kind: string, error: IngestionError): IngestionError => {
    metrics.webhookDeliveries.add(kind, 'refused');
    metrics.eventsRejected.add(1, error.code);
    liveDebugger.record(source.id, {
      status: 'rejected',
      type: undefined,
      reason: { code: error.code, message: error.message },
      event: { webhook: kind },
    });
    return error;
  };

  const handle = async (req: IncomingMessage, key: string, receivedAtMs: number): Promise<string> => {
    const source = webhookSource(configView, key);
    if (!source) throw new IngestionError(401, 'unknown_source', 'no source has this webhook URL');
    // The ingestor authenticates by write key: the source's current one when the URL holds its id.
    const writeKey = source.writeKeys.includes(key) ? key : source.writeKeys[0];
    if (writeKey === undefined) throw new IngestionError(401, 'unknown_source', 'the source has no write key');
    const settings = source.webhook;
    const app: WebhookApp | undefined = settings ? WEBHOOK_APPS[settings.kind] : undefined;
    if (!settings || !app) {
      throw new IngestionError(404, 'not_webhook_source', `source ${source.id} is not a webhook source`);
    }
    const raw = await readBody(req, deps.maxBodyBytes, deps.receiving);
    const verdict = verifyDelivery(app, settings, req.headers, raw, receivedAtMs);
    if (!verdict.ok) throw refuse(source, settings.kind, new IngestionError(401, 'invalid_signature', verdict.reason));
    let translation;
    try {
      translation = app.translate({ headers: req.headers, payload: parseJsonObject(raw), raw }, settings.mapping);
    } catch (error) {
      if (error instanceof IngestionError) throw refuse(source, settings.kind, error);
      if (error instanceof MappingError) {
        throw refuse(source, settings.kind, IngestionError.badRequest(`the source's mapping failed: ${error.message}`));
      }
      throw error;
    }
    if ('ignored' in translation) {
      metrics.webhookDeliveries.add(settings.kind, 'ignored');
      return JSON.stringify({ success: true, ignored: translation.ignored });
    }
    const ingested = await ingestor.ingest({
      shape: { kind: 'batch' },
      readBody: () => Buffer.from(JSON.stringify({ batch: translation.calls })),
      authorization: undefined,
      writeKey,
      receivedAtMs,
      // The app's server is no user's address: events get no context.ip from it.
      clientIp: undefined,
      webhook: { kind: settings.kind, signedWith: verdict.signedWith },
    });
    // Events a tracking plan blocked were valid (stored in quarantine): not the app's error.
    if (ingested.accepted + ingested.blocked === 0 && ingested.rejected.length > 0) {
      const first = ingested.rejected[0] as (typeof ingested.rejected)[number];
      throw new IngestionError(400, first.code, first.message);
    }
    metrics.webhookDeliveries.add(settings.kind, 'accepted');
    return JSON.stringify({ success: true, accepted: ingested.accepted });
  };

  return function handleWebhook(req: IncomingMessage, res: ServerResponse, key: string): void {
    const startedAt = performance.now();
    const receivedAtMs = Date.now();
    const requestSpan = startRequestSpan(tracer, req.headers, 'POST', ROUTE_NAME);
    const { span } = requestSpan;
    const finish = (status: number, message?: string): void => {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
      metrics.http.record('POST', ROUTE_NAME, status, startedAt);
    };
    requestSpan.run(() =>
      handle(req, key, receivedAtMs).then(
        (body) => {
          sendJson(req, res, 200, body);
          finish(200);
        },
        (error: unknown) => {
          // The body is not read when the source is refused before it: let it drain.
          req.resume();
          if (error instanceof IngestionError) {
            sendError(req, res, error);
            return finish(error.status, error.message);
          }
          logger.error({ err: error, route: ROUTE_NAME }, 'webhook delivery failed unexpectedly');
          sendError(req, res, new IngestionError(500, 'unavailable', 'internal error; retry later'));
          finish(500, String(error));
        },
      ),
    );
  };
}
