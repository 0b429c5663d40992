// Reading fixed offset ranges (replays, traces) and finding them by time, against the real broker.
import { requireKafka, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { KafkaClient, type ConsumedMessage } from './index';

const logger = testLogger('kafka-range-reader');

describe('time ranges and offset ranges of a topic', () => {
  const { kafkaBrokers } = testInfrastructure();
  let client: KafkaClient;

  beforeAll(async () => {
    await requireKafka(kafkaBrokers);
    client = new KafkaClient({ brokers: kafkaBrokers, clientId: 'kafka-range-reader', logger });
  });

  afterAll(async () => {
    await client?.disconnect();
  });

  it('sends with chosen partitions and times, finds a time range by offsets and reads exactly it', async () => {
    const topic = uniqueName('ranges');
    await client.ensureTopics([{ topic, partitions: 3 }]);
    const producer = await client.producer();
    const base = Date.now() - 60 * 60_000;
    // 30 messages a minute apart, on partitions 0..2 in turn.
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `k${i}`,
      value: String(i),
      partition: i % 3,
      timestamp: base + i * 60_000,
    }));
    const sent = await producer.send(topic, messages, { timeoutMs: 10000 });
    expect(sent.map((s) => s.partition).sort()).toEqual([0, 1, 2]);
    expect(sent.every((s) => s.baseOffset === '0')).toBe(true);
    // A second send to one partition continues its offsets.
    const again = await producer.send(topic, [{ value: 'late', partition: 1 }], { timeoutMs: 10000 });
    expect(again).toEqual([{ partition: 1, baseOffset: '10' }]);
    await producer.disconnect();

    // Minutes 10 to 19 (inclusive): messages 10..19.
    const from = await client.offsetsForTimes(topic, base + 10 * 60_000);
    const to = await client.offsetsForTimes(topic, base + 20 * 60_000);
    const ranges = [...from].map(([partition, offset]) => ({ partition, from: offset, to: to.get(partition)! }));
    const read: ConsumedMessage[] = [];
    const result = await client.readRanges({
      topic,
      ranges,
      handleBatch: async (batch) => {
        read.push(...batch);
      },
    });
    expect(result.complete).toBe(true);
    expect(read.map((m) => Number(m.value!.toString())).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => 10 + i),
    );
    expect(read.every((m) => m.timestamp >= base + 10 * 60_000 && m.timestamp < base + 20 * 60_000)).toBe(true);

    // One exact message; an empty range reads nothing and returns at once.
    const one: ConsumedMessage[] = [];
    await client.readRanges({
      topic,
      ranges: [
        { partition: 1, from: '10', to: '11' },
        { partition: 2, from: '4', to: '4' },
      ],
      handleBatch: async (batch) => {
        one.push(...batch);
      },
    });
    expect(one.map((m) => m.value!.toString())).toEqual(['late']);

    // Several ranges of one partition: read in order, the gap between them skipped.
    const several: ConsumedMessage[] = [];
    await client.readRanges({
      topic,
      ranges: [
        { partition: 0, from: '7', to: '9' },
        { partition: 0, from: '1', to: '2' },
        { partition: 0, from: '8', to: '10' },
      ],
      handleBatch: async (batch) => {
        several.push(...batch);
      },
    });
    expect(several.map((m) => m.offset)).toEqual(['1', '7', '8', '9']);

    // Stopping early: the read ends without reading everything.
    let taken = 0;
    const stopped = await client.readRanges({
      topic,
      ranges: [{ partition: 0, from: '0', to: '10' }],
      keepGoing: () => taken === 0,
      handleBatch: async (batch) => {
        taken += batch.length;
      },
    });
    expect(taken).toBeGreaterThan(0);
    expect(stopped.complete).toBe(taken >= 10);
    await client.deleteTopics([topic]);
  });
});
