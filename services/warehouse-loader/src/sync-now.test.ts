// "Sync now": a request the control plane puts in the config stream makes the loader load at once,
// however long its interval; the loader reports its schedule for the warehouses list.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryConfigView } from '@manifold/config-client';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger } from '@manifold/testing';
import { sampleEvents } from '@manifold/warehouse/testing';
import { LoaderSupervisor } from './loader-supervisor';
import { MemoryHistory, eventsTopic, produce, snapshot, source, waitFor, warehouse } from './testing/harness';

const logger = testLogger('warehouse-sync-now');
const tracks = (n: number) => Array.from({ length: n }, () => sampleEvents.track({ userId: 'u1' }));
let kafka: KafkaClient;
let producer: EventProducer;
let tempDir: string;

beforeAll(async () => {
  await requireKafka(testInfrastructure().kafkaBrokers);
  kafka = new KafkaClient({ brokers: testInfrastructure().kafkaBrokers, clientId: 'sync-now-test', logger });
  producer = await kafka.producer();
  tempDir = await mkdtemp(join(tmpdir(), 'manifold-sync-now-'));
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
  await rm(tempDir, { recursive: true, force: true });
});

it('loads at once on a sync request seen in the configuration, once per request, and reports its next sync', async () => {
  const topic = await eventsTopic(kafka, 1);
  const web = source();
  const dw = warehouse('duckdb', { path: join(tempDir, 'dw.duckdb') }, [web.id], { syncIntervalSeconds: 3600 });
  const config = new InMemoryConfigView(snapshot([web], [dw]));
  const history = new MemoryHistory();
  const supervisor = new LoaderSupervisor({ config, kafka, history, logger, loaderOptions: { eventsTopic: topic } });
  await supervisor.start();
  try {
    const started = Date.now();
    // The first word of the loader: its first load is an interval away.
    await waitFor(() => history.statuses.length > 0, 10000, 'a status record');
    const first = history.statuses[0]!;
    expect(first).toMatchObject({ warehouseId: dw.id, workspaceId: dw.workspaceId });
    expect(Date.parse(first.nextSyncAt) - started).toBeGreaterThan(3590_000);

    await produce(producer, topic, web, tracks(5));
    await waitFor(() => (supervisor.loader(dw.id)?.stats.pendingEvents ?? 0) >= 5, 20000, 'events read');
    expect(history.records).toHaveLength(0);

    const requestedAt = new Date().toISOString();
    config.replace(snapshot([web], [{ ...dw, syncRequestedAt: requestedAt }], 2));
    await waitFor(() => history.records.length >= 1, 20000, 'the load asked for');
    expect(history.records[0]).toMatchObject({ status: 'success', events: 5 });
    await waitFor(
      () => history.statuses.some((s) => s.syncRequestedAt === requestedAt && s.pendingEvents === 0),
      10000,
      'a status after the load',
    );
    const after = history.statuses.filter((s) => s.syncRequestedAt === requestedAt).at(-1)!;
    expect(Date.parse(after.nextSyncAt) - Date.parse(after.at)).toBe(3600_000);

    // Another change of configuration carrying the same request: no second load.
    await produce(producer, topic, web, tracks(2));
    await waitFor(() => (supervisor.loader(dw.id)?.stats.pendingEvents ?? 0) >= 2, 20000, 'more events read');
    config.replace(snapshot([web], [{ ...dw, name: 'renamed', syncRequestedAt: requestedAt }], 3));
    await new Promise((r) => setTimeout(r, 1500));
    expect(history.records).toHaveLength(1);
  } finally {
    await supervisor.stop();
  }
}, 60000);
