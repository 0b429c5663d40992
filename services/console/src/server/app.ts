import express, { type Express } from 'express';
import { HttpServerMetrics, measureHttpRequests, metricPrefix } from '@manifold/telemetry';
import { mountApiRoutes, sendError } from '../api/mount';
import { buildOpenApiDocument } from '../api/openapi';
import { apiRoutes } from '../api/routes';
import { SignInThrottle, type ThrottleLimits } from '../auth/sign-in-throttle';
import { mountAuthRoutes } from './auth-routes';
import type { ConsoleContext } from './context';
import { mountDebuggerProxy } from './debugger-proxy';
import { HttpError } from './http-error';
import { mountInvitationRoutes } from './invitation-routes';
import { jsonBody } from './json-body';
import { mountOAuthCallback } from './oauth-callback';
import { securityHeaders } from './security-headers';
import { mountSignInRoute } from './sign-in-route';
import { mountWebApp } from './spa';

export interface ConsoleAppOptions {
  sessionTtlMs: number;
  webRoot: string;
  /** Express's `trust proxy` (e.g. 1 behind one TLS-terminating proxy), so Secure cookies follow https. */
  trustProxy: boolean | number | string;
  /**
   * Sign-in throttling in memory (per email and address, and console-wide); defaults when unset.
   * Wrong setup tokens are throttled with the same limits, counted apart.
   */
  throttleLimits?: ThrottleLimits;
}

/** The console's HTTP surface: the Public API (and its document), sessions, the debugger relay and the web app. */
export function createConsoleApp(context: ConsoleContext, options: ConsoleAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.use(securityHeaders());
  // manifold_console_http_server_request_duration_seconds{method,route,status}
  app.use(measureHttpRequests(new HttpServerMetrics(metricPrefix('console'))));

  const openApi = buildOpenApiDocument(apiRoutes);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  mountAuthRoutes(app, context, options.sessionTtlMs, new SignInThrottle(options.throttleLimits));
  mountSignInRoute(app, context, options.sessionTtlMs, new SignInThrottle(options.throttleLimits));
  mountInvitationRoutes(app, context, options.sessionTtlMs);
  mountDebuggerProxy(app, context);
  mountOAuthCallback(app, context);
  app.get('/api/v1/config', (_req, res) => {
    res.json({ ingestionPublicUrl: context.ingestionPublicUrl });
  });
  app.use('/api/v1', jsonBody());
  mountApiRoutes(app, apiRoutes, context);
  app.use('/api', (_req, res) => {
    res.status(404).json(new HttpError(404, 'not_found', 'no such API route').toJSON());
  });
  mountWebApp(app, context, options.webRoot);

  // The API's body errors (bad JSON, too large: jsonBody), other body parsers' and anything else thrown outside a route.
  app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    // Ours already say which field is at fault: answered as they are, fields included.
    if (error instanceof HttpError) return sendError(res, error, context);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'bad request';
      return res.status(status).json(new HttpError(status, 'invalid_argument', message).toJSON());
    }
    sendError(res, error, context);
  });
  return app;
}
