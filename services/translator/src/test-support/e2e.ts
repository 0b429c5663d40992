import { startIngestion, ingestionSettings, type RunningIngestion } from '@manifold/ingestion';
import { metrics, trace } from '@manifold/telemetry';
import { testLogger } from '@manifold/testing';
import { request } from 'undici';
import { startTestTranslator, WRITE_KEY, type TestTranslator, type TestTranslatorOptions } from './harness';

export interface Pipeline {
  translator: TestTranslator;
  ingestion: RunningIngestion;
  /** POSTs a Tracking API body to ingestion with a write key (the test source's by default); resolves with the status. */
  track(path: string, body: unknown, writeKey?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The whole data path in-process: a real ingestion server publishing to the translator's
 * events topic, and the translator delivering from it, both on one in-memory configuration.
 */
export async function startPipeline(options: TestTranslatorOptions): Promise<Pipeline> {
  const translator = await startTestTranslator(options);
  const logger = testLogger('ingestion-e2e');
  const ingestion = await startIngestion({
    kafka: translator.kafka,
    configView: translator.configView,
    logger,
    meter: metrics.getMeter('ingestion-e2e'),
    tracer: trace.getTracer('ingestion-e2e'),
    settings: ingestionSettings({
      topic: translator.settings.eventsTopic,
      planReports: { topic: `${translator.settings.eventsTopic}.plan-reports` },
    }),
    port: 0,
    host: '127.0.0.1',
    partitions: translator.settings.eventsTopicPartitions,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
  });
  return {
    translator,
    ingestion,
    async track(path, body, writeKey = WRITE_KEY) {
      const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
      const response = await request(`${ingestion.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(body),
      });
      await response.body.text();
      return response.statusCode;
    },
    async close() {
      await ingestion.close();
      await translator.close();
    },
  };
}
