// Test support: the control plane with its data-plane operations (dead letters, redrives,
// replays, traces), the real translator (webhooks) and, when asked, the warehouse loader, all
// in-process on the test Kafka, FerretDB and PostgreSQL, under a topic prefix of their own.
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { encodeEventMessage, KafkaNames, type EventMetadata, type SpecEvent } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics } from '@manifold/telemetry';
import { requireKafka, testInfrastructure, testLogger, testTopicPrefix, uniqueName } from '@manifold/testing';

export { eventually } from '@manifold/testing';
import { startTranslator, translatorSettings, type RunningTranslator } from '../../../translator/src';
import { startLoaderApp, type LoaderApp } from '../../../warehouse-loader/src';
import { runCli } from '../cli/program';
import { startTestControlPlane, type Harness } from './harness';

export interface OperationsStack {
  cp: Harness;
  kafka: KafkaClient;
  names: KafkaNames;
  configView: ConfigStreamClient;
  translator: RunningTranslator;
  loader: LoaderApp | undefined;
  /** Runs the `manifold` CLI in-process against this control plane. */
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Publishes events to the events topic as ingestion does (`timestamp`: the Kafka time). */
  publish(events: readonly SpecEvent[], metadata: EventMetadata, timestamp?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOperationsStack(
  options: { warehouses?: boolean; translator?: Partial<Parameters<typeof translatorSettings>[0]> } = {},
): Promise<OperationsStack> {
  const logger = testLogger('operations');
  const { kafkaBrokers, mongoUrl } = testInfrastructure();
  await requireKafka(kafkaBrokers);
  const prefix = testTopicPrefix();
  const names = new KafkaNames(prefix);
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('operations'), logger });
  // The events topic as ingestion makes it, before anyone reads it.
  await kafka.ensureTopics([{ topic: names.events, partitions: 2 }]);
  const cp = await startTestControlPlane({
    catalog: undefined,
    kafkaBrokers,
    kafkaTopicPrefix: prefix,
    operations: { sweepIntervalMs: 60_000 },
  });
  const configView = await connectConfigStream({ address: cp.controlPlane.address, token: cp.token, logger });
  let claims: MongoConnection | undefined;
  let translator: RunningTranslator | undefined;
  let loader: LoaderApp | undefined;
  try {
    claims = await connectMongo({
      url: mongoUrl,
      database: uniqueName('opsclaims').replace(/[^a-z0-9]/gi, ''),
      appName: 'operations-translator',
      logger,
    });
    translator = await startTranslator({
      kafka,
      db: claims.db,
      configView,
      logger,
      meter: metrics.getMeter('operations-translator'),
      settings: translatorSettings({
        destinationTypes: ['webhook'],
        eventsTopic: names.events,
        namespace: prefix,
        eventsTopicPartitions: 2,
        topicPartitions: 1,
        tracePartitions: 2,
        traceFlushIntervalMs: 200,
        retryDelaysMs: [200, 500],
        retryWindowMs: 1500,
        requestTimeoutMs: 2000,
        reportIntervalMs: 200,
        ...options.translator,
      }),
    });
    if (options.warehouses) {
      loader = await startLoaderApp({
        config: configView,
        kafkaBrokers,
        logger,
        topicPrefix: prefix,
      });
    }
  } catch (error) {
    await translator?.stop();
    await claims?.close();
    await configView.close();
    await cp.stop();
    await kafka.disconnect();
    throw error;
  }
  const running = translator;
  return {
    cp,
    kafka,
    names,
    configView,
    translator: running,
    loader,
    async cli(...args) {
      let out = '';
      let err = '';
      const code = await runCli(
        args,
        { stdout: (t) => (out += t), stderr: (t) => (err += t) },
        {
          CONTROL_PLANE_ADDRESS: cp.controlPlane.address,
          CONTROL_PLANE_TOKEN: cp.token,
          MANIFOLD_ACTOR: 'cli-operator',
        },
      );
      return { code, out, err };
    },
    async publish(events, metadata, timestamp) {
      const producer = await kafka.producer();
      try {
        await producer.send(
          names.events,
          events.map((e) => ({
            ...encodeEventMessage(e, metadata),
            ...(timestamp !== undefined ? { timestamp } : {}),
          })),
          { timeoutMs: 10_000 },
        );
      } finally {
        await producer.disconnect();
      }
    },
    async stop() {
      await loader?.stop();
      await running.stop();
      await claims?.db.dropDatabase().catch(() => undefined);
      await claims?.close();
      await configView.close();
      await cp.stop();
      await kafka.disconnect();
    },
  };
}
