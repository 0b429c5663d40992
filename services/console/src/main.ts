import { mongoSecurity } from '@manifold/mongo';
import { controlPlaneTls } from '@manifold/proto';
import { runService } from '@manifold/service';
import { DEFAULT_THROTTLE_LIMITS } from './auth/sign-in-throttle';
import { loadConsoleConfig } from './config';
import { startConsole } from './start-console';

async function main(): Promise<void> {
  const config = loadConsoleConfig();
  await runService({
    name: 'console',
    adminPort: config.ADMIN_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    async start({ logger, readiness, onShutdown }) {
      const running = await startConsole({
        mongoUrl: config.MONGO_URL,
        mongoSecurity: mongoSecurity(config),
        database: config.CONSOLE_DATABASE,
        controlPlaneAddress: config.CONTROL_PLANE_ADDRESS,
        controlPlaneToken: config.CONTROL_PLANE_TOKEN,
        controlPlaneTls: controlPlaneTls(config),
        port: config.PORT,
        host: config.HOST,
        logger,
        publicUrl: config.PUBLIC_URL,
        ingestionPublicUrl: config.INGESTION_PUBLIC_URL,
        ingestionUrl: config.INGESTION_URL,
        ingestionAdminToken: config.INGESTION_ADMIN_TOKEN,
        sessionTtlMs: config.SESSION_TTL_HOURS * 3600 * 1000,
        trustProxy: config.TRUST_PROXY_HOPS,
        smtp: config.SMTP_URL ? { url: config.SMTP_URL, from: config.MAIL_FROM } : undefined,
        lockout: {
          maxFailures: config.SIGN_IN_ACCOUNT_MAX_FAILURES,
          lockMs: config.SIGN_IN_LOCKOUT_MINUTES * 60 * 1000,
        },
        setupToken: config.CONSOLE_SETUP_TOKEN,
        throttleLimits: {
          ...DEFAULT_THROTTLE_LIMITS,
          maxFailuresGlobal: config.SIGN_IN_GLOBAL_MAX_FAILURES_PER_MINUTE,
          globalWindowMs: 60 * 1000,
        },
      });
      onShutdown('console http', () => running.stop());
      readiness.add('mongo', () => running.ping());
    },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
