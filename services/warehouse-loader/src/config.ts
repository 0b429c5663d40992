import { env, loadConfig } from '@manifold/config';
import { checkKafkaConnectionConfig, kafkaConnectionConfigShape } from '@manifold/kafka';
import { checkMongoConnectionConfig, mongoConnectionConfigShape } from '@manifold/mongo';
import { checkControlPlaneTlsConfig, controlPlaneTlsConfigShape } from '@manifold/proto';

export function loadLoaderConfig(source: Record<string, string | undefined> = process.env) {
  return loadConfig(
    'warehouse-loader',
    {
      ADMIN_PORT: env.port(9104),
      KAFKA_BROKERS: env.hostPorts().default(['127.0.0.1:9092']),
      ...kafkaConnectionConfigShape,
      CONTROL_PLANE_ADDRESS: env.string().default('127.0.0.1:50051'),
      ...controlPlaneTlsConfigShape,
      CONTROL_PLANE_TOKEN: env.string().optional(),
      /** Where the last configuration is kept for restarts while the control plane is down. */
      CONFIG_CACHE_FILE: env.string().optional(),
      /** Seals CONFIG_CACHE_FILE; a key derived from CONTROL_PLANE_TOKEN when unset. */
      CONFIG_CACHE_KEY: env.key256().optional(),
      /** Instead of the control plane: a JSON configuration snapshot (local runs and tests). */
      WAREHOUSE_CONFIG_FILE: env.string().optional(),
      /** The embedded DuckDB warehouse every source loads into; empty turns it off. */
      EMBEDDED_DUCKDB_PATH: env.string().optional(),
      EMBEDDED_SYNC_INTERVAL_SECONDS: env.int(60, 1),
      KAFKA_TOPIC_PREFIX: env.kafkaTopicPrefix(),
      /** Default: the events topic under KAFKA_TOPIC_PREFIX. */
      EVENTS_TOPIC: env.string().optional(),
      WAREHOUSE_LOADS_TOPIC: env.string().optional(),
      /** First retry delay after a failed load; doubles up to RETRY_MAX_MS. */
      RETRY_INITIAL_MS: env.int(1000, 10),
      RETRY_MAX_MS: env.int(300000, 10),
      /** A warehouse is stalled once events waited this many sync intervals without a load. */
      STALL_AFTER_INTERVALS: env.int(5, 2),
      OTEL_EXPORTER_OTLP_ENDPOINT: env.string().optional(),
      /**
       * The control plane's MongoDB: where Reverse ETL models, connections and runs are. Unset:
       * this loader runs no models.
       */
      MONGO_URL: env
        .string()
        .regex(
          /^mongodb(\+srv)?:\/\/[^/?#]+(\/[^?#]*)?(\?.*)?$/,
          'expected a mongodb:// or mongodb+srv:// connection string',
        )
        .optional(),
      ...mongoConnectionConfigShape,
      /** How often models are looked at for a run due (schedule, "run now", an unfinished run). */
      REVERSE_ETL_CHECK_INTERVAL_SECONDS: env.int(5, 1),
      /** Row changes read from the warehouse and published at a time. */
      REVERSE_ETL_PAGE_SIZE: env.int(1000, 1),
      /**
       * How long a run waits for its deliveries' outcomes once every change is published, then
       * ends with the rest counted missing. Longer than the translators' retry window (4 h).
       */
      REVERSE_ETL_DELIVERY_TIMEOUT_SECONDS: env.int(5 * 3600, 1),
    },
    source,
    [checkKafkaConnectionConfig, checkControlPlaneTlsConfig, checkMongoConnectionConfig],
  );
}

export type LoaderConfig = ReturnType<typeof loadLoaderConfig>;
