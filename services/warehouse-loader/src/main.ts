import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '@manifold/config';
import { InMemoryConfigView, connectConfigStream, type ConfigSnapshot, type ConfigView } from '@manifold/config-client';
import { kafkaClientSettings } from '@manifold/kafka';
import { connectMongo, mongoSecurity } from '@manifold/mongo';
import { ReverseEtlStore } from '@manifold/reverse-etl';
import { controlPlaneTls } from '@manifold/proto';
import { runService } from '@manifold/service';
import { loadLoaderConfig } from './config';
import { WithEmbeddedWarehouse } from './embedded-warehouse';
import { startLoaderApp, type LoaderAppOptions } from './loader-app';

async function main(): Promise<void> {
  const config = loadLoaderConfig();
  if (!config.WAREHOUSE_CONFIG_FILE && !config.CONTROL_PLANE_TOKEN) {
    throw new ConfigError('warehouse-loader', [
      'CONTROL_PLANE_TOKEN is required but not set (or set WAREHOUSE_CONFIG_FILE to run from a configuration file)',
    ]);
  }
  await runService({
    name: 'warehouse-loader',
    adminPort: config.ADMIN_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    // A last load may take a while; Kafka keeps whatever it does not finish.
    shutdownTimeoutMs: 60000,
    start: async (context) => {
      let view: ConfigView;
      if (config.WAREHOUSE_CONFIG_FILE) {
        const snapshot = JSON.parse(await readFile(config.WAREHOUSE_CONFIG_FILE, 'utf8')) as ConfigSnapshot;
        view = new InMemoryConfigView(snapshot);
        context.logger.info({ file: config.WAREHOUSE_CONFIG_FILE }, 'configuration from a file');
      } else {
        const stream = await connectConfigStream({
          address: config.CONTROL_PLANE_ADDRESS,
          token: config.CONTROL_PLANE_TOKEN ?? '',
          tls: controlPlaneTls(config),
          logger: context.logger.child({ component: 'config-stream' }),
          client: 'warehouse-loader',
          ...(config.CONFIG_CACHE_FILE ? { cacheFile: config.CONFIG_CACHE_FILE } : {}),
          cacheKey: config.CONFIG_CACHE_KEY,
        });
        context.onShutdown('config stream', () => stream.close());
        view = stream;
      }
      if (config.EMBEDDED_DUCKDB_PATH) {
        view = new WithEmbeddedWarehouse(view, {
          path: resolve(config.EMBEDDED_DUCKDB_PATH),
          syncIntervalSeconds: config.EMBEDDED_SYNC_INTERVAL_SECONDS,
        });
      }
      let reverseEtl: LoaderAppOptions['reverseEtl'];
      if (config.MONGO_URL) {
        const mongo = await connectMongo({
          url: config.MONGO_URL,
          appName: 'warehouse-loader',
          logger: context.logger,
          security: mongoSecurity(config),
        });
        context.onShutdown('mongodb', () => mongo.close());
        context.readiness.add('mongodb', () => mongo.ping());
        const store = new ReverseEtlStore(mongo.db);
        await store.ensureIndexes();
        reverseEtl = {
          store,
          checkIntervalMs: config.REVERSE_ETL_CHECK_INTERVAL_SECONDS * 1000,
          pageSize: config.REVERSE_ETL_PAGE_SIZE,
          deliveryTimeoutMs: config.REVERSE_ETL_DELIVERY_TIMEOUT_SECONDS * 1000,
        };
      }
      const app = await startLoaderApp({
        config: view,
        kafkaBrokers: config.KAFKA_BROKERS,
        kafkaSettings: kafkaClientSettings(config),
        logger: context.logger,
        readiness: context.readiness,
        meter: context.telemetry.meter,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        ...(config.EVENTS_TOPIC ? { eventsTopic: config.EVENTS_TOPIC } : {}),
        ...(config.WAREHOUSE_LOADS_TOPIC ? { loadsTopic: config.WAREHOUSE_LOADS_TOPIC } : {}),
        ...(reverseEtl ? { reverseEtl } : {}),
        loaderOptions: {
          backoff: { initialMs: config.RETRY_INITIAL_MS, maxMs: config.RETRY_MAX_MS },
          stallAfterIntervals: config.STALL_AFTER_INTERVALS,
        },
      });
      context.onShutdown('warehouse loaders', () => app.stop());
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
