import { InMemoryConfigView, type ConfigSnapshot } from '@manifold/config-client';
import { sourceConfig } from '@manifold/config-client/testing';
import { KafkaClient, type ConsumedMessage } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { metrics, trace } from '@manifold/telemetry';
import { readTopic, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { startIngestion, type RunningIngestion } from '../start';
import { ingestionSettings, type IngestionSettingsOverrides } from '../settings';

export const WRITE_KEY = 'wk-live-0123456789abcdef';
export const DISABLED_WRITE_KEY = 'wk-disabled-0123456789ab';
export const SOURCE_ID = 'src-web';
export const WORKSPACE_ID = 'ws-acme';

export function testSnapshot(): ConfigSnapshot {
  return {
    version: 1,
    sources: [
      sourceConfig({ id: SOURCE_ID, workspaceId: WORKSPACE_ID, writeKeys: [WRITE_KEY] }),
      sourceConfig({
        id: 'src-off',
        workspaceId: WORKSPACE_ID,
        slug: 'off',
        name: 'Off',
        enabled: false,
        writeKeys: [DISABLED_WRITE_KEY],
        type: 'http',
      }),
    ],
    destinations: [],
    warehouses: [],
  };
}

export interface TestIngestion {
  running: RunningIngestion;
  url: string;
  topic: string;
  /** Where events a tracking plan blocked go. */
  quarantineTopic: string;
  /** Where tracking-plan reports go. */
  planReportsTopic: string;
  kafka: KafkaClient;
  configView: InMemoryConfigView;
  close(): Promise<void>;
}

/** A real ingestion server on a free port, publishing to a fresh topic of the test Kafka. */
export async function startTestIngestion(
  overrides: IngestionSettingsOverrides = {},
  brokers: string[] = testInfrastructure().kafkaBrokers,
  shutdownDelayMs = 0,
  logger: Logger = testLogger('ingestion-test'),
): Promise<TestIngestion> {
  const kafka = new KafkaClient({ brokers, clientId: uniqueName('ingestion-test'), logger });
  const topic = overrides.topic ?? uniqueName('ingestion-events');
  const quarantineTopic = overrides.quarantineTopic ?? uniqueName('ingestion-quarantine');
  const planReportsTopic = overrides.planReports?.topic ?? uniqueName('ingestion-plan-reports');
  const configView = new InMemoryConfigView(testSnapshot());
  const running = await startIngestion({
    kafka,
    configView,
    logger,
    meter: metrics.getMeter('ingestion-test'),
    tracer: trace.getTracer('ingestion-test'),
    settings: ingestionSettings({
      ...overrides,
      topic,
      quarantineTopic,
      planReports: { ...overrides.planReports, topic: planReportsTopic },
    }),
    port: 0,
    host: '127.0.0.1',
    partitions: 3,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
    shutdownDelayMs,
  });
  return {
    running,
    url: running.url,
    topic,
    quarantineTopic,
    planReportsTopic,
    kafka,
    configView,
    async close() {
      await running.close();
      await kafka.disconnect();
    },
  };
}

export { readTopic };

export function parseValue(message: ConsumedMessage): Record<string, unknown> {
  return JSON.parse((message.value ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>;
}

export function basicAuth(writeKey: string, withColon = true): string {
  return `Basic ${Buffer.from(withColon ? `${writeKey}:` : writeKey).toString('base64')}`;
}
