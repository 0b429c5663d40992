// Test support: the real data plane (ingestion and, when asked, the translator), fed by the
// control plane's config stream, on a fresh events topic of the test Kafka.
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { ingestionSettings, startIngestion, type RunningIngestion } from '@manifold/ingestion';
import { KafkaNames } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics, trace } from '@manifold/telemetry';
import { testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { startTranslator, translatorSettings, type RunningTranslator } from '@manifold/translator';

export interface TestDataPlane {
  ingestion: RunningIngestion;
  url: string;
  adminToken: string;
  configView: ConfigStreamClient;
  kafka: KafkaClient;
  /** The prefix of its topics and consumer groups (the control plane's too). */
  topicPrefix: string;
  translator: RunningTranslator | undefined;
  close(): Promise<void>;
}

export async function startTestDataPlane(
  controlPlane: { address: string; token: string },
  options: { translatorTypes?: string[]; topicPrefix: string },
): Promise<TestDataPlane> {
  const logger = testLogger('data-plane');
  const { kafkaBrokers, mongoUrl } = testInfrastructure();
  const configView = await connectConfigStream({
    address: controlPlane.address,
    token: controlPlane.token,
    logger,
    client: 'console-test-data-plane',
  });
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('console-data-plane'), logger });
  const names = new KafkaNames(options.topicPrefix);
  const eventsTopic = names.events;
  let translator: RunningTranslator | undefined;
  let claims: MongoConnection | undefined;
  if (options.translatorTypes?.length) {
    claims = await connectMongo({
      url: mongoUrl,
      database: uniqueName('consoleclaims').replace(/[^a-z0-9]/gi, ''),
      appName: 'console-test-translator',
      logger,
    });
    translator = await startTranslator({
      kafka,
      db: claims.db,
      configView,
      logger,
      meter: metrics.getMeter('console-test-translator'),
      // The control plane reads delivery reports under the same prefix.
      settings: translatorSettings({
        eventsTopic,
        namespace: options.topicPrefix,
        destinationTypes: options.translatorTypes,
        eventsTopicPartitions: 1,
        topicPartitions: 1,
        retryDelaysMs: [200, 500],
        requestTimeoutMs: 2000,
        reportIntervalMs: 200,
      }),
    });
  }
  const adminToken = `ingestion-admin-${uniqueName('t')}`;
  const ingestion = await startIngestion({
    kafka,
    configView,
    logger,
    meter: metrics.getMeter('console-test-ingestion'),
    tracer: trace.getTracer('console-test-ingestion'),
    // Blocked events under the same prefix too, where the control plane's quarantine replays read them;
    // plan reports every half second: tests read violation counts soon after sending.
    settings: ingestionSettings({
      topic: eventsTopic,
      quarantineTopic: names.quarantine,
      planReports: { topic: names.planReports, intervalMs: 500 },
      adminToken,
    }),
    port: 0,
    host: '127.0.0.1',
    partitions: 1,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
  });
  return {
    ingestion,
    url: ingestion.url,
    adminToken,
    configView,
    kafka,
    topicPrefix: options.topicPrefix,
    translator,
    async close() {
      await ingestion.close();
      await translator?.stop();
      await claims?.db.dropDatabase().catch(() => undefined);
      await claims?.close();
      await configView.close();
      await kafka.disconnect();
    },
  };
}
