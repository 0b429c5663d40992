import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@manifold/logger';
import type { ControlPlaneTls } from '@manifold/proto';
import { connectMongo, type MongoSecurity } from '@manifold/mongo';
import type { ThrottleLimits } from './auth/sign-in-throttle';
import { connectConsoleControlPlane } from './control-plane/clients';
import { smtpMailer, type SmtpSettings } from '@manifold/mail';
import { createConsoleApp } from './server/app';
import { openStores } from './server/stores';
import { SetupToken } from './setup/setup-token';
import type { LockoutPolicy } from './store/sign-in-failures';

export interface StartConsoleOptions {
  mongoUrl: string;
  /** MONGO_USERNAME, MONGO_TLS, ... (see @manifold/mongo's mongoSecurity). */
  mongoSecurity?: MongoSecurity | undefined;
  /** The console's own database (accounts, sessions, API tokens, column choices). */
  database: string;
  /** host:port of the control plane's gRPC server. */
  controlPlaneAddress: string;
  controlPlaneToken: string;
  /** TLS to the control plane (CONTROL_PLANE_TLS_*); plaintext without. */
  controlPlaneTls?: ControlPlaneTls | undefined;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  logger: Logger;
  publicUrl?: string | undefined;
  ingestionPublicUrl: string;
  ingestionUrl: string;
  ingestionAdminToken?: string | undefined;
  sessionTtlMs?: number;
  /** The built web app (vite's output); defaults to dist/web beside this package. */
  webRoot?: string;
  trustProxy?: boolean | number | string;
  /** Mail for invitations and lockout notices; without it invitation links are shown to the inviter. */
  smtp?: SmtpSettings | undefined;
  /** Per-account lockout after wrong passwords (default: 10 within 15 min lock for 15 min). */
  lockout?: LockoutPolicy;
  /** In-memory sign-in throttling per email and address and console-wide (wrong setup tokens too, counted apart). */
  throttleLimits?: ThrottleLimits;
  /** CONSOLE_SETUP_TOKEN: first-run setup asks for it; unset, setup is open to whoever comes first. */
  setupToken?: string | undefined;
}

export interface RunningConsole {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  /** Throws when the console's MongoDB does not answer (for /readyz). */
  ping(): Promise<void>;
  /** Stops accepting requests, then closes the control-plane channel and MongoDB. */
  stop(): Promise<void>;
}

export function defaultWebRoot(): string {
  const candidates = [join(__dirname, 'web'), join(__dirname, '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[1]!;
}

export async function startConsole(options: StartConsoleOptions): Promise<RunningConsole> {
  const sessionTtlMs = options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const mongo = await connectMongo({
    url: options.mongoUrl,
    database: options.database,
    appName: 'console',
    logger: options.logger,
    ...(options.mongoSecurity && { security: options.mongoSecurity }),
  });
  const controlPlane = connectConsoleControlPlane(
    options.controlPlaneAddress,
    options.controlPlaneToken,
    options.controlPlaneTls,
  );
  const mailer = options.smtp ? smtpMailer(options.smtp) : undefined;
  try {
    const stores = await openStores(mongo.db, {
      sessionTtlMs,
      ...(options.lockout ? { lockout: options.lockout } : {}),
    });
    if (!options.setupToken && !(await stores.accounts.firstRunDone())) {
      options.logger.warn(
        'first-run setup is open to the first visitor: whoever reaches the console first becomes its owner ' +
          'and can take over the workspaces made with the CLI; set CONSOLE_SETUP_TOKEN to require a token for it',
      );
    }
    const app = createConsoleApp(
      {
        controlPlane,
        stores,
        logger: options.logger,
        publicUrl: options.publicUrl,
        ingestionPublicUrl: options.ingestionPublicUrl,
        ingestionUrl: options.ingestionUrl,
        ingestionAdminToken: options.ingestionAdminToken,
        mailer,
        setupToken: options.setupToken ? new SetupToken(options.setupToken) : undefined,
      },
      {
        sessionTtlMs,
        webRoot: options.webRoot ?? defaultWebRoot(),
        trustProxy: options.trustProxy ?? false,
        ...(options.throttleLimits ? { throttleLimits: options.throttleLimits } : {}),
      },
    );
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port, options.host ?? '127.0.0.1', (error?: Error) =>
        error ? reject(error) : resolve(s),
      );
    });
    const port = (server.address() as AddressInfo).port;
    options.logger.info({ port }, 'console listening');
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      ping: () => mongo.ping(),
      stop: async () => {
        // Open debugger streams would keep close() waiting forever.
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        controlPlane.close();
        mailer?.close();
        await mongo.close();
      },
    };
  } catch (error) {
    controlPlane.close();
    mailer?.close();
    await mongo.close();
    throw error;
  }
}
