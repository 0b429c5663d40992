// Test support: the real ingestion service, fed by the control plane's config stream.
import { connectConfigStream, type ConfigStreamClient } from '@manifold/config-client';
import { ingestionSettings, startIngestion, type RunningIngestion } from '@manifold/ingestion';
import { KafkaClient } from '@manifold/kafka';
import { metrics, trace } from '@manifold/telemetry';
import { testInfrastructure, testLogger, uniqueName } from '@manifold/testing';

export interface TestIngestion {
  running: RunningIngestion;
  url: string;
  adminToken: string;
  configView: ConfigStreamClient;
  kafka: KafkaClient;
  close(): Promise<void>;
}

export async function startTestIngestion(controlPlane: { address: string; token: string }): Promise<TestIngestion> {
  const logger = testLogger('ingestion');
  const configView = await connectConfigStream({
    address: controlPlane.address,
    token: controlPlane.token,
    logger,
    client: 'console-test-ingestion',
  });
  const kafka = new KafkaClient({
    brokers: testInfrastructure().kafkaBrokers,
    clientId: uniqueName('console-ingestion'),
    logger,
  });
  const adminToken = `ingestion-admin-${uniqueName('t')}`;
  const running = await startIngestion({
    kafka,
    configView,
    logger,
    meter: metrics.getMeter('console-test-ingestion'),
    tracer: trace.getTracer('console-test-ingestion'),
    settings: ingestionSettings({ topic: uniqueName('console-events'), adminToken }),
    port: 0,
    host: '127.0.0.1',
    partitions: 1,
    replicationFactor: 1,
    drainTimeoutMs: 2000,
  });
  return {
    running,
    url: running.url,
    adminToken,
    configView,
    kafka,
    async close() {
      await running.close();
      await configView.close();
      await kafka.disconnect();
    },
  };
}
