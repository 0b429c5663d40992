// The intake on its own, against the real Kafka: what it keeps, what it counts, what it commits,
// and how it holds reading back. No warehouse is involved.
import { InMemoryConfigView } from '@manifold/config-client';
import { EVENT_HEADERS } from '@manifold/events';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { sampleEvents } from '@manifold/warehouse/testing';
import { EventIntake } from './intake';
import { eventsTopic, produce, snapshot, source, waitFor, warehouse } from './testing/harness';

const logger = testLogger('warehouse-intake');
const { kafkaBrokers } = testInfrastructure();
let kafka: KafkaClient;
let producer: EventProducer;

beforeAll(async () => {
  await requireKafka(kafkaBrokers);
  kafka = new KafkaClient({ brokers: kafkaBrokers, clientId: 'warehouse-intake-test', logger });
  producer = await kafka.producer();
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
});

async function startIntake(maxPending: number) {
  const topic = await eventsTopic(kafka, 1);
  const web = source();
  const other = source();
  const config = warehouse('duckdb', { path: '/nonexistent/unused.duckdb' }, [web.id]);
  const groupId = uniqueName('intake-group');
  let onEvents = 0;
  const intake = new EventIntake({
    warehouseId: config.id,
    kafka,
    topic,
    groupId,
    config: new InMemoryConfigView(snapshot([web, other], [config])),
    logger,
    onEvents: () => onEvents++,
  });
  await intake.start(maxPending);
  return { topic, groupId, web, other, config, intake, onEvents: () => onEvents };
}

async function committed(groupId: string, topic: string): Promise<string | undefined> {
  return (await kafka.committedOffsets(groupId, topic)).get(0);
}

describe('EventIntake', () => {
  it('keeps the events of its sources that their integrations allow, counts what is not an event, and commits past the rest', async () => {
    const { topic, groupId, web, other, config, intake } = await startIntake(1000);
    try {
      await produce(producer, topic, other, [sampleEvents.track()]); // offset 0: another source's
      await producer.send(topic, [{ value: 'no headers at all', headers: {} }]); // 1
      const kept = [sampleEvents.track(), sampleEvents.identify()]; // 2, 3
      await produce(producer, topic, web, kept);
      await produce(producer, topic, web, [
        sampleEvents.track({ integrations: { Warehouses: { warehouseIds: ['another'] } } }), // 4
        sampleEvents.track({ integrations: { Warehouses: { warehouseIds: [config.id] } } }), // 5
      ]);
      await producer.send(topic, [
        {
          value: '{"integrations":{"Warehouses":', // 6: its rule cannot be read
          headers: { [EVENT_HEADERS.sourceId]: web.id, [EVENT_HEADERS.workspaceId]: web.workspaceId },
        },
      ]);
      await waitFor(() => intake.undecodableMessages === 2 && intake.pending.size === 3, 20000, 'every message');

      const waiting = intake.pending.takeAll();
      expect([...waiting.keys()]).toEqual([web.id]);
      expect(waiting.get(web.id)?.map((e) => e.messageId)).toEqual([
        ...kept.map((e) => e.messageId),
        expect.any(String),
      ]);
      expect(waiting.get(web.id)?.map((e) => e.offset)).toEqual([2n, 3n, 5n]);

      // While they load, nothing past the first of them is committed; once loaded, everything is.
      await intake.commit([...waiting.values()]);
      expect(await committed(groupId, topic)).toBe('2');
      await intake.commit();
      expect(await committed(groupId, topic)).toBe('7');
    } finally {
      await intake.stop();
    }
  }, 60000);

  it('holds reading back while maxPending events wait, and reads on once they are taken', async () => {
    const { topic, web, intake, onEvents } = await startIntake(10);
    try {
      await produce(
        producer,
        topic,
        web,
        Array.from({ length: 10 }, () => sampleEvents.track()),
      );
      await waitFor(() => intake.pending.size === 10, 20000, 'the first ten events');
      await produce(
        producer,
        topic,
        web,
        Array.from({ length: 5 }, () => sampleEvents.track()),
      );
      const calls = onEvents();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Held back: the five are still in Kafka, and a load is asked for every 200 ms meanwhile.
      expect(intake.pending.size).toBe(10);
      expect(onEvents()).toBeGreaterThanOrEqual(calls + 3);

      intake.pending.takeAll();
      await waitFor(() => intake.pending.size === 5, 20000, 'the five held back');
    } finally {
      await intake.stop();
    }
  }, 60000);
});
