import { InMemoryConfigView, type ConfigSnapshot, type DestinationConfig } from '@manifold/config-client';
import { sourceConfig } from '@manifold/config-client/testing';
import { presetMappings, type DestinationDefinition, type InstanceMapping } from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import { encodeEventMessage, type DeliveryReport, type EventMetadata, type SpecEvent } from '@manifold/events';
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { metrics } from '@manifold/telemetry';
import {
  readTopic,
  readTopicUntil,
  requireKafka,
  requireMongo,
  testInfrastructure,
  testLogger,
  uniqueName,
} from '@manifold/testing';
import type { AccessTokenSource } from '../oauth/access-tokens';
import { translatorSettings, type TranslatorSettings } from '../settings';
import { startTranslator, type RunningTranslator } from '../start-translator';

export const SOURCE_ID = 'src-web';
export const WORKSPACE_ID = 'ws-acme';
export const WRITE_KEY = 'wk-translator-0123456789abcdef';

export function source(overrides: Partial<ConfigSnapshot['sources'][number]> = {}): ConfigSnapshot['sources'][number] {
  return sourceConfig({ id: SOURCE_ID, workspaceId: WORKSPACE_ID, writeKeys: [WRITE_KEY], ...overrides });
}

export function destination(
  partial: Pick<DestinationConfig, 'id' | 'catalogId' | 'catalogName' | 'settings'> & Partial<DestinationConfig>,
): DestinationConfig {
  return {
    workspaceId: WORKSPACE_ID,
    name: partial.id,
    enabled: true,
    sourceIds: [SOURCE_ID],
    filters: [],
    ...partial,
  };
}

/** The mappings an instance created in the console starts with: its destination's presets. */
export function presetsOf(catalogId: string): InstanceMapping[] {
  const definition = destinationById(catalogId);
  if (!definition) throw new Error(`no destination ${catalogId}`);
  return presetMappings(definition);
}

export function snapshot(
  destinations: DestinationConfig[],
  version = 1,
  sources: ConfigSnapshot['sources'] = [source()],
): ConfigSnapshot {
  return { version, sources, destinations, warehouses: [] };
}

/** Short tiers so retries happen within a test. */
export const TEST_RETRY_DELAYS = [200, 500, 1000];

export interface TestTranslator {
  translator: RunningTranslator;
  kafka: KafkaClient;
  mongo: MongoConnection;
  configView: InMemoryConfigView;
  settings: TranslatorSettings;
  /** Stops the translator; keeps Kafka and MongoDB for a restart. */
  stopTranslator(): Promise<void>;
  /** Starts a translator again on the same topics, groups and claims (a restart or a second replica). */
  startAnother(): Promise<RunningTranslator>;
  close(): Promise<void>;
}

export interface TestTranslatorOptions {
  snapshot: ConfigSnapshot;
  /** Kafka and MongoDB of this test alone (e.g. to stop them); the shared test ones by default. */
  kafkaBrokers?: string[];
  mongoUrl?: string;
  settings?: Partial<TranslatorSettings>;
  destinations?: (id: string) => DestinationDefinition | undefined;
  /** Access tokens of instances connected with OAuth (the control plane's answers). */
  accessTokens?: AccessTokenSource;
  /** The translator's clock (tests move it). */
  now?: () => number;
}

/** A translator on fresh topics, consumer groups and claim database of the test Kafka and FerretDB. */
export async function startTestTranslator(options: TestTranslatorOptions): Promise<TestTranslator> {
  const shared = testInfrastructure();
  const kafkaBrokers = options.kafkaBrokers ?? shared.kafkaBrokers;
  const mongoUrl = options.mongoUrl ?? shared.mongoUrl;
  await requireKafka(kafkaBrokers);
  await requireMongo(mongoUrl);
  const logger = testLogger('translator-test');
  const kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: uniqueName('translator-test'), logger });
  const mongo = await connectMongo({
    url: mongoUrl,
    // FerretDB takes only Latin letters and digits in database names.
    database: uniqueName('translator').replace(/[^a-z0-9]/gi, ''),
    appName: 'translator-test',
    logger,
  });
  const configView = new InMemoryConfigView(options.snapshot);
  const namespace = `${uniqueName('t')}.`;
  const settings = translatorSettings({
    eventsTopic: `${namespace}events`,
    namespace,
    destinationTypes: ['webhook'],
    retryDelaysMs: TEST_RETRY_DELAYS,
    eventsTopicPartitions: 3,
    topicPartitions: 2,
    requestTimeoutMs: 2000,
    reportIntervalMs: 200,
    ...options.settings,
  });
  const start = (): Promise<RunningTranslator> =>
    startTranslator({
      kafka,
      db: mongo.db,
      configView,
      logger,
      meter: metrics.getMeter('translator-test'),
      settings,
      ...(options.destinations ? { destinations: options.destinations } : {}),
      ...(options.accessTokens ? { accessTokens: options.accessTokens } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  const running: RunningTranslator[] = [await start()];
  return {
    translator: running[0] as RunningTranslator,
    kafka,
    mongo,
    configView,
    settings,
    stopTranslator: () => (running[0] as RunningTranslator).stop(),
    async startAnother() {
      const another = await start();
      running.push(another);
      return another;
    },
    async close() {
      await Promise.all(running.map((r) => r.stop()));
      await mongo.db.dropDatabase().catch(() => undefined);
      await mongo.close();
      await kafka.disconnect();
    },
  };
}

export { readTopic, readTopicUntil };

export function json<T = Record<string, unknown>>(message: ConsumedMessage): T {
  return JSON.parse((message.value ?? Buffer.alloc(0)).toString('utf8')) as T;
}

// Shared with every package's tests; kept importable from here for this package's tests.
export { waitFor } from '@manifold/testing';

/** A track event as ingestion would have stored it. */
export function trackEvent(n: number, overrides: Partial<SpecEvent> = {}): SpecEvent {
  const now = new Date().toISOString();
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: `msg-${n}-${Math.random().toString(36).slice(2, 10)}`,
    userId: `user-${n % 7}`,
    anonymousId: `anon-${n}`,
    properties: { order_id: `o-${n}`, revenue: 10 + n, currency: 'USD' },
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now,
    context: { library: { name: 'translator-test', version: '1.0.0' }, ip: '203.0.113.7' },
    integrations: {},
    ...overrides,
  };
}

/** Publishes events to the events topic the way ingestion does. */
export async function publishEvents(
  kafka: KafkaClient,
  topic: string,
  events: readonly SpecEvent[],
  metadata: EventMetadata = { sourceId: SOURCE_ID, workspaceId: WORKSPACE_ID },
): Promise<void> {
  const producer = await kafka.producer();
  try {
    await producer.send(
      topic,
      events.map((event) => encodeEventMessage(event, metadata)),
      { timeoutMs: 10000 },
    );
  } finally {
    await producer.disconnect();
  }
}

/** The messageIds a webhook emulator accepted, batches unrolled, in order. */
export function deliveredIds(hook: { deliveries: ReadonlyArray<{ body: unknown }> }): string[] {
  return hook.deliveries
    .flatMap((d) => (Array.isArray(d.body) ? d.body : [d.body]))
    .map((e) => (e as { messageId: string }).messageId);
}

/** Sums delivery reports per `destinationId|outcome|reason`, and collects delivered latencies. */
export function sumReports(messages: readonly ConsumedMessage[]): {
  counts: Record<string, number>;
  latencies: Record<string, number[]>;
} {
  const counts: Record<string, number> = {};
  const latencies: Record<string, number[]> = {};
  for (const message of messages) {
    const report = json<DeliveryReport>(message);
    const key = `${report.destinationId}|${report.outcome}|${report.reason ?? ''}`;
    counts[key] = (counts[key] ?? 0) + report.count;
    if (report.latenciesMs) (latencies[report.destinationId] ??= []).push(...report.latenciesMs);
  }
  return { counts, latencies };
}

/** The report counts whose key starts with `prefix` (e.g. `dest-x|filtered|`), keyed by the rest. */
export function countsUnder(counts: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, n]) => [key.slice(prefix.length), n]),
  );
}

/** Reads delivery reports until `condition` holds on their sums (or the time is up). */
export async function waitForReports(
  kafka: KafkaClient,
  topic: string,
  condition: (counts: Record<string, number>) => boolean,
  timeoutMs = 20000,
): Promise<ReturnType<typeof sumReports>> {
  const messages = await readTopicUntil(kafka, topic, (received) => condition(sumReports(received).counts), timeoutMs);
  return sumReports(messages);
}
