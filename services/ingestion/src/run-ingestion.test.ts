import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigCache, configCacheBox } from '@manifold/config-client/testing';
import { KafkaClient } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { loadIngestionConfig } from './config';
import { runIngestion, type IngestionProcess } from './run-ingestion';
import { basicAuth, parseValue, readTopic, testSnapshot, WRITE_KEY } from './test-support/harness';

// The process as main.ts runs it, configured by environment variables, with the control plane
// unreachable: the cached snapshot keeps write keys working.
describe('the ingestion process', () => {
  let dir: string;
  let running: IngestionProcess | undefined;
  const topic = uniqueName('ingestion-process');
  const logger = testLogger('ingestion-process-test');
  const TOKEN = 'unused-token-0123456789';

  beforeAll(async () => {
    await requireKafka(testInfrastructure().kafkaBrokers);
    dir = mkdtempSync(join(tmpdir(), 'ingestion-process-'));
    // The cache as a run with the same token left it (sealed with a key derived from the token).
    const cache = new ConfigCache(join(dir, 'config.json'), configCacheBox({ token: TOKEN }), logger);
    cache.save(testSnapshot());
    await cache.flush();
  });

  afterAll(async () => {
    await running?.service.shutdown('test over');
    const kafka = new KafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: topic, logger });
    await kafka.deleteTopics([topic]).catch(() => undefined);
    await kafka.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves write keys from the last snapshot while the control plane is down', async () => {
    const config = loadIngestionConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      KAFKA_BROKERS: testInfrastructure().kafkaBrokers.join(','),
      KAFKA_EVENTS_TOPIC: topic,
      KAFKA_EVENTS_PARTITIONS: '2',
      CONTROL_PLANE_ADDRESS: '127.0.0.1:1',
      CONTROL_PLANE_TOKEN: TOKEN,
      CONFIG_CACHE_FILE: join(dir, 'config.json'),
    });
    running = await runIngestion(config, { handleSignals: false, logger });

    const res = await fetch(`${running.ingestion.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: basicAuth(WRITE_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'p-1', event: 'Process Test', messageId: 'process-1' }),
    });
    expect(res.status).toBe(200);
    const reader = new KafkaClient({ brokers: config.KAFKA_BROKERS, clientId: `${topic}-reader`, logger });
    const [message] = await readTopic(reader, topic, 1);
    await reader.disconnect();
    expect(message && parseValue(message)).toMatchObject({ messageId: 'process-1', event: 'Process Test' });

    const ready = await fetch(`http://127.0.0.1:${running.service.adminPort}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${running.service.adminPort}/metrics`)).text();
    expect(metrics).toContain('manifold_ingestion_events_accepted_total');
  });
});
