import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ConfigView } from '@manifold/config-client';
import type { Logger } from '@manifold/logger';
import { measureHttpRequests, type Meter, type Tracer } from '@manifold/telemetry';
import { AnalyticsJsBundle } from './analytics-js/bundle';
import { analyticsJsRoutes } from './analytics-js/routes';
import { LiveDebugger, type DebuggerView } from './debugger/live-debugger';
import { DEBUGGER_PATH, debuggerRoutes } from './debugger/routes';
import { ByteBudget } from './http/byte-budget';
import { IngestionError } from './http/errors';
import { createProxyTrust } from './http/proxy-trust';
import { answerPreflight, corsHeaders, sendError } from './http/respond';
import { createIngestionMetrics } from './metrics';
import { PublishQueue, type MessageSender, type PublishQueueOptions } from './publish/publish-queue';
import { TrackingPlans } from './tracking/tracking-plans';
import { PlanReporter } from './tracking/plan-reports/plan-reporter';
import { RateLimiter } from './rate-limit';
import type { IngestionSettings } from './settings';
import { createTrackingHandler } from './tracking/handler';
import { Ingestor } from './tracking/ingestor';
import { pixelRoutes } from './tracking/pixel';
import { trackingRoute } from './tracking/routes';
import { createWebhookHandler, webhookKey } from './webhook/handler';

export interface IngestionAppDeps {
  configView: ConfigView;
  /** Where accepted events go; a connected `EventProducer` from @manifold/kafka. */
  producer: MessageSender;
  logger: Logger;
  meter: Meter;
  tracer: Tracer;
  settings: IngestionSettings;
  /**
   * State shared with the other workers of the process (workers mode); this process's own
   * rate limiter and debugger otherwise.
   */
  shared?: { rateLimiter: RateLimiter; liveDebugger: LiveDebugger; debuggerView: DebuggerView };
  /** The analytics.js files to serve; read from @segment/analytics-next when not given. */
  bundle?: AnalyticsJsBundle;
}

export interface IngestionApp {
  /** The request listener for an HTTP (or HTTPS) server. */
  handler: RequestListener;
  liveDebugger: LiveDebugger;
  publisher: PublishQueue;
  /** Tracking-plan reports; `flush()` sends what was counted now rather than at the interval. */
  planReporter: PlanReporter;
  /** Ends debugger streams and waits until every queued event is acknowledged or failed. */
  drain(): Promise<void>;
}

/**
 * The ingestion service without its process around it: tests build it with an in-memory
 * config view and a real Kafka producer. The Tracking API's POST routes are handled by plain
 * node:http code (the hot path); everything else goes through express.
 */
export function createIngestionApp(deps: IngestionAppDeps): IngestionApp {
  const { settings, logger, configView } = deps;
  const metrics = createIngestionMetrics(deps.meter);
  const proxyTrust = createProxyTrust(settings.trustedProxies);
  const liveDebugger = deps.shared?.liveDebugger ?? new LiveDebugger(settings.debuggerBufferSize);
  const onSend: PublishQueueOptions['onSend'] = ({ messages, durationMs, ok }) => {
    const outcome = ok ? 'ok' : 'error';
    metrics.publishDuration.record(durationMs / 1000, { outcome });
    metrics.publishBatchSize.record(messages, { outcome });
  };
  const publisher = new PublishQueue(deps.producer, { topic: settings.topic, ...settings.publish, onSend });
  // Blocked events are few; their own queue keeps them from ever sharing a send with accepted ones.
  const quarantine = new PublishQueue(deps.producer, { topic: settings.quarantineTopic, ...settings.publish, onSend });
  const planReporter = new PlanReporter(deps.producer, settings.planReports, logger);
  planReporter.start();
  const ingestor = new Ingestor({
    configView,
    publisher,
    quarantine,
    trackingPlans: new TrackingPlans(logger),
    planReporter,
    rateLimiter: deps.shared?.rateLimiter ?? new RateLimiter(settings.rateLimit),
    liveDebugger,
    metrics,
    logger,
    batchLimits: {
      maxItems: settings.limits.maxBatchItems,
      maxItemBytes: settings.limits.maxCallBytes,
      maxEventBytes: settings.limits.maxBatchEventBytes,
    },
  });
  const receiving = new ByteBudget(settings.limits.maxReceivingBytes);
  const handleTracking = createTrackingHandler({
    ingestor,
    proxyTrust,
    metrics,
    tracer: deps.tracer,
    logger,
    limits: settings.limits,
    receiving,
  });
  const handleWebhook = createWebhookHandler({
    configView,
    ingestor,
    liveDebugger,
    metrics,
    tracer: deps.tracer,
    logger,
    maxBodyBytes: settings.limits.maxBatchBytes,
    receiving,
  });
  const debug = debuggerRoutes({
    liveDebugger: deps.shared?.debuggerView ?? liveDebugger,
    adminToken: settings.adminToken,
  });

  const web = express();
  web.disable('x-powered-by');
  web.use((req: Request, res: Response, next: NextFunction) => {
    // The debugger is for the console's server, never for a page on another site.
    if (!req.path.startsWith(DEBUGGER_PATH)) res.set(corsHeaders(req) as Record<string, string>);
    next();
  });
  web.use(measureHttpRequests(metrics.http));
  web.use(
    analyticsJsRoutes({
      configView,
      bundle: deps.bundle ?? new AnalyticsJsBundle(),
      proxyTrust,
      publicBaseUrl: settings.publicBaseUrl,
    }),
  );
  web.use(
    pixelRoutes({ ingestor, proxyTrust, logger, tracer: deps.tracer, maxCallBytes: settings.limits.maxCallBytes }),
  );
  web.use(debug.router);
  web.use((req: Request) => {
    throw new IngestionError(404, 'not_found', `no route for ${req.method} ${req.path}`);
  });
  web.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof IngestionError) return sendError(req, res, error);
    // Express's own client errors (a path that cannot be decoded, ...) carry a 4xx status.
    const status = (error as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = status === 404 ? 'not_found' : 'bad_request';
      return sendError(req, res, new IngestionError(status, code, (error as Error).message));
    }
    logger.error({ err: error, path: req.path }, 'request failed unexpectedly');
    sendError(req, res, new IngestionError(500, 'unavailable', 'internal error; retry later'));
  });

  const handler: RequestListener = (req, res) => {
    if (req.method === 'POST') {
      const url = req.url ?? '/';
      const route = trackingRoute(url);
      if (route) return handleTracking(req, res, route);
      const webhookSource = webhookKey(url);
      if (webhookSource !== undefined) return handleWebhook(req, res, webhookSource);
    } else if (req.method === 'OPTIONS') {
      return answerPreflight(req, res);
    }
    web(req, res);
  };

  return {
    handler,
    liveDebugger,
    publisher,
    async drain() {
      debug.closeStreams();
      await Promise.all([publisher.drain(), quarantine.drain(), planReporter.stop()]);
    },
    planReporter,
  };
}
