import { env, loadConfig } from '@manifold/config';
import { destinationNetworkConfigShape } from '@manifold/destination-http';
import { checkKafkaConnectionConfig, kafkaConnectionConfigShape } from '@manifold/kafka';
import { checkMongoConnectionConfig, mongoConnectionConfigShape } from '@manifold/mongo';
import { checkGrpcServerTlsConfig, grpcServerTlsConfigShape } from '@manifold/proto';
import { type z } from 'zod';

export function controlPlaneConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    'control-plane',
    {
      GRPC_HOST: env.string().default('0.0.0.0'),
      GRPC_PORT: env.port(50051),
      ...grpcServerTlsConfigShape,
      ADMIN_PORT: env.port(9102),
      MONGO_URL: env.mongoUrl(),
      ...mongoConnectionConfigShape,
      MONGO_DATABASE: env.string().default('manifold'),
      CONTROL_PLANE_TOKEN: env.string().min(16, 'must be at least 16 characters'),
      CONTROL_PLANE_SECRET_KEY: env.key256(),
      CONFIG_POLL_INTERVAL_MS: env.int(1000, 50),
      SMTP_URL: env.url(['smtp', 'smtps']).optional(),
      MAIL_FROM: env.string().default('Manifold <manifold@localhost>'),
      AUTO_DISABLE_INTERVAL_MS: env.int(3_600_000, 1000),
      KAFKA_BROKERS: env.hostPorts().optional(),
      ...kafkaConnectionConfigShape,
      KAFKA_TOPIC_PREFIX: env.kafkaTopicPrefix(),
      TRACE_RETENTION_HOURS: env.int(168, 1),
      DEAD_LETTER_RETENTION_HOURS: env.int(168, 1),
      REVERSE_ETL_PREVIEW_TIMEOUT_SECONDS: env.int(30, 1),
      /** Where the mapping tester's sends may not go, as the translators' (see @manifold/destination-http). */
      ...destinationNetworkConfigShape,
      OTEL_EXPORTER_OTLP_ENDPOINT: env.url(['http', 'https']).optional(),
    } satisfies z.ZodRawShape,
    source,
    [checkKafkaConnectionConfig, checkMongoConnectionConfig, checkGrpcServerTlsConfig],
  );
}
