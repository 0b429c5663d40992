import { kafkaClientSettings } from '@manifold/kafka';
import { mongoSecurity } from '@manifold/mongo';
import { grpcServerTls } from '@manifold/proto';
import { runService } from '@manifold/service';
import { controlPlaneConfig } from './config';
import { startControlPlane } from './start-control-plane';
import { DESTINATIONS } from '@manifold/destinations';
import { oauthClientsConfig } from './oauth/oauth-clients';

const config = controlPlaneConfig();
const oauthClients = oauthClientsConfig(DESTINATIONS.filter((d) => d.oauth).map((d) => d.id));

void runService({
  name: 'control-plane',
  adminPort: config.ADMIN_PORT,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  async start(ctx) {
    const controlPlane = await startControlPlane({
      mongoUrl: config.MONGO_URL,
      mongoSecurity: mongoSecurity(config),
      database: config.MONGO_DATABASE,
      grpcHost: config.GRPC_HOST,
      grpcPort: config.GRPC_PORT,
      grpcTls: grpcServerTls(config),
      token: config.CONTROL_PLANE_TOKEN,
      secretKey: config.CONTROL_PLANE_SECRET_KEY,
      logger: ctx.logger,
      configPollIntervalMs: config.CONFIG_POLL_INTERVAL_MS,
      previewTimeoutMs: config.REVERSE_ETL_PREVIEW_TIMEOUT_SECONDS * 1000,
      destinationAddressPolicy: config.DESTINATION_BLOCKED_NETWORKS,
      smtp: config.SMTP_URL ? { url: config.SMTP_URL, from: config.MAIL_FROM } : undefined,
      autoDisable: { intervalMs: config.AUTO_DISABLE_INTERVAL_MS },
      kafkaBrokers: config.KAFKA_BROKERS,
      kafkaSettings: kafkaClientSettings(config),
      kafkaTopicPrefix: config.KAFKA_TOPIC_PREFIX,
      operations: {
        traceRetentionMs: config.TRACE_RETENTION_HOURS * 3_600_000,
        deadLetterRetentionMs: config.DEAD_LETTER_RETENTION_HOURS * 3_600_000,
      },
      meter: ctx.telemetry.meter,
      oauthClients,
    });
    ctx.onShutdown('control plane', () => controlPlane.stop());
    ctx.readiness.add('mongodb', () => controlPlane.domain.store.db.command({ ping: 1 }).then(() => undefined));
  },
}).catch(() => process.exit(1));
