import type { z } from 'zod';
import { env, loadConfig } from '@manifold/config';

export const consoleConfigShape = {
  PORT: env.port(3000),
  HOST: env.string().default('0.0.0.0'),
  ADMIN_PORT: env.port(9105),
  MONGO_URL: env.mongoUrl(),
  CONSOLE_DATABASE: env.string().default('manifold_console'),
  CONTROL_PLANE_ADDRESS: env
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default('127.0.0.1:50051'),
  CONTROL_PLANE_TOKEN: env.string().min(16, 'expected the control plane service token (16+ characters)'),
  /** The console's public origin, e.g. https://console.example.com (CSRF origin check, Secure cookies). */
  PUBLIC_URL: env.url(['http', 'https']).optional(),
  INGESTION_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  INGESTION_PUBLIC_URL: env.url(['http', 'https']).default('http://127.0.0.1:8080'),
  INGESTION_ADMIN_TOKEN: env.string().optional(),
  SESSION_TTL_HOURS: env.int(12, 1),
  /** Express `trust proxy`: the number of proxies in front (0 = none). */
  TRUST_PROXY_HOPS: env.int(0),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
};

export type ConsoleConfig = z.infer<z.ZodObject<typeof consoleConfigShape>>;

export function loadConsoleConfig(source: Record<string, string | undefined> = process.env): ConsoleConfig {
  return loadConfig('console', consoleConfigShape, source);
}
