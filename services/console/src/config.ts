import type { z } from 'zod';
import { ConfigError, env, loadConfig } from '@manifold/config';
import { checkMongoConnectionConfig, mongoConnectionConfigShape } from '@manifold/mongo';
import { checkControlPlaneTlsConfig, controlPlaneTlsConfigShape } from '@manifold/proto';

export const consoleConfigShape = {
  PORT: env.port(3000),
  HOST: env.string().default('0.0.0.0'),
  ADMIN_PORT: env.port(9105),
  MONGO_URL: env.mongoUrl(),
  ...mongoConnectionConfigShape,
  CONSOLE_DATABASE: env.string().default('manifold_console'),
  CONTROL_PLANE_ADDRESS: env
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default('127.0.0.1:50051'),
  ...controlPlaneTlsConfigShape,
  CONTROL_PLANE_TOKEN: env.string().min(16, 'expected the control plane service token (16+ characters)'),
  /** The console's public origin, e.g. https://console.example.com (CSRF origin check, Secure cookies). */
  PUBLIC_URL: env.url(['http', 'https']).optional(),
  INGESTION_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  INGESTION_PUBLIC_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  INGESTION_ADMIN_TOKEN: env.string().optional(),
  SESSION_TTL_HOURS: env.int(12, 1),
  /** Express `trust proxy`: the number of proxies in front (0 = none). */
  TRUST_PROXY_HOPS: env.int(0),
  /** smtp://user:pass@host:port or smtps://...: invitations and lockout notices are mailed through it. */
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  MAIL_FROM: env.string().default('Manifold <manifold@localhost>'),
  /** Wrong passwords for one account (from any address) within the lockout period that lock it. */
  SIGN_IN_ACCOUNT_MAX_FAILURES: env.int(10, 1),
  /** How long a locked account stays locked, and the period its wrong passwords are counted in. */
  SIGN_IN_LOCKOUT_MINUTES: env.int(15, 1),
  /** Wrong passwords per minute across all accounts after which sign-in pauses for everyone until the minute ends. */
  SIGN_IN_GLOBAL_MAX_FAILURES_PER_MINUTE: env.int(100, 1),
  /**
   * First-run setup (the first owner's account, taking over workspaces made with the CLI) asks for
   * this token when set; unset, setup is open to whoever reaches the console first. A secret: its
   * name says TOKEN, so a configuration error never quotes it.
   */
  CONSOLE_SETUP_TOKEN: env
    .string()
    .min(16, 'expected the setup token, 16 characters or more (openssl rand -hex 24 makes one)')
    .refine((v) => v === v.trim(), 'must not begin or end with white space (a newline left in a file?)')
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
};

export type ConsoleConfig = z.infer<z.ZodObject<typeof consoleConfigShape>>;

export function loadConsoleConfig(source: Record<string, string | undefined> = process.env): ConsoleConfig {
  const config = loadConfig('console', consoleConfigShape, source, [
    checkMongoConnectionConfig,
    checkControlPlaneTlsConfig,
  ]);
  // A mailed link must not take its host from a request's Host header, which the sender controls.
  if (config.SMTP_URL && !config.PUBLIC_URL) {
    throw new ConfigError('console', ['PUBLIC_URL is required when SMTP_URL is set: mailed invitation links use it']);
  }
  return config;
}
