import type { z } from 'zod';
import type { Workspace } from '@manifold/proto';
import type { Logger } from '@manifold/logger';
import type { ControlPlane } from '../control-plane/clients';
import type { Mailer } from '@manifold/mail';
import type { ConsoleStores } from '../server/stores';
import type { Role } from './access';

/**
 * Who may call a route:
 * - `user`: any signed-in user or API token (no workspace in the path);
 * - `read` / `write` / `owner`: the path's `:workspace` must exist and the user must hold the role
 *   (read-only < member < owner); otherwise the workspace answers 404 as if it did not exist.
 */
export type Access = 'user' | 'read' | 'write' | 'owner';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The signed-in user (or the owner of the API token). */
  email: string;
  /** Set for workspace routes: the workspace and the user's role in it. */
  workspace: Workspace | undefined;
  role: Role | undefined;
  controlPlane: ControlPlane;
  stores: ConsoleStores;
  /** How the caller authenticated: session cookies (the web app) or a bearer API token. */
  via: 'session' | 'token';
  /** A hash of the session (sessions only): binds an OAuth connection in progress to the browser that started it. */
  sessionBinding: string | undefined;
  /** SMTP, when configured (SMTP_URL). */
  mailer: Mailer | undefined;
  logger: Logger;
  /** The console's origin for links: PUBLIC_URL, else this request's own. */
  origin: string;
}

export interface RouteDefinition<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express-style path below /api/v1, e.g. /workspaces/:workspace/sources/:source. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  /** Browser sessions only, e.g. managing API tokens: a leaked token cannot mint more. */
  sessionOnly?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Set when the route has limits of its own: which ones, for its 429 `rate_limited` answer (with Retry-After). */
  rateLimited?: string;
  /** 200 unless set (201 for creations, 204 for no content). */
  status?: number;
  handler(context: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/** Declares a route once: Express validates requests with its schemas and the OpenAPI document describes them. */
export function defineRoute<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(
  definition: RouteDefinition<P, Q, B, R>,
): RouteDefinition {
  return definition as unknown as RouteDefinition;
}
