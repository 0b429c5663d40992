// The load the benchmark puts on one kafkajs tree's protocol code: a producer's (partition a send
// of 500 messages with our six headers, encode its produce request) and a consumer's (decode a
// record batch of 500 records). The loads are built once per tree, from the tree's own modules.
import { createRequire } from 'node:module';
import path from 'node:path';

export const SEND = 500; // messages per send, about what the ingestion service's sends carry under load
export const PARTITIONS = [0, 1, 2, 3, 4, 5];
const value = JSON.stringify({
  type: 'track',
  event: 'Order Completed',
  userId: 'user-1',
  properties: { orderId: 'o-1', total: 42.5, currency: 'EUR', products: [{ sku: 'a', price: 10 }] },
  context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0' },
  messageId: '7f9c2a4e-0000-4000-8000-000000000000',
  receivedAt: '2026-11-29T00:00:00.000Z',
  note: 'x'.repeat(300),
});
export const messages = Array.from({ length: SEND }, (_, i) => ({
  key: `anon-${(i * 7919) % 100000}`,
  value,
  headers: {
    'manifold-source-id': 'src_2k9a7x',
    'manifold-workspace-id': 'ws_1',
    'manifold-message-id': `7f9c2a4e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    'manifold-type': 'track',
    'manifold-received-at': '2026-11-29T00:00:00.000Z',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
}));

/** The modules the benchmark drives, from the kafkajs tree in `kafkajsDir`. */
export function kafkajsModules(kafkajsDir) {
  const load = createRequire(path.join(kafkajsDir, 'package.json'));
  return {
    murmur2: load('./src/producer/partitioners/default/murmur2'),
    groupMessagesPerPartition: load('./src/producer/groupMessagesPerPartition'),
    produceRequest: load('./src/protocol/requests/produce/v3/request'),
    Encoder: load('./src/protocol/encoder'),
    Decoder: load('./src/protocol/decoder'),
    Record: load('./src/protocol/recordBatch/record/v0'),
    decodeRecordBatch: load('./src/protocol/recordBatch/v0/decoder'),
    crc32C: load('./src/protocol/recordBatch/crc32C'),
  };
}

/** The producer's and the consumer's work on the kafkajs tree in `kafkajsDir`, one send / one batch per call. */
export async function workload(kafkajsDir) {
  const { murmur2, groupMessagesPerPartition, produceRequest, Decoder, decodeRecordBatch } = kafkajsModules(kafkajsDir);
  const partitioner = ({ message }) => (murmur2(message.key) & 0x7fffffff) % PARTITIONS.length;

  const produce = async () => {
    const groups = groupMessagesPerPartition({ topic: 't', partitionMetadata: PARTITIONS, messages, partitioner });
    const partitions = Object.keys(groups).map((p) => ({ partition: Number(p), messages: groups[p] }));
    const request = produceRequest({
      acks: -1,
      timeout: 30000,
      topicData: [{ topic: 'manifold.events.v1', partitions }],
    });
    return (await request.encode()).buffer;
  };

  // One partition's record batch of SEND records, as a fetch answer carries it.
  const single = produceRequest({
    acks: -1,
    timeout: 30000,
    topicData: [{ topic: 't', partitions: [{ partition: 0, messages }] }],
  });
  // Skipped: transactional id (null: 2 bytes), acks 2, timeout 4, topic count 4, topic "t" 2+1, partition count 4, partition 4, size 4.
  const batch = (await single.encode()).buffer.subarray(2 + 2 + 4 + 4 + 3 + 4 + 4 + 4);
  const decode = async () => {
    const decoded = await decodeRecordBatch(new Decoder(batch));
    if (decoded.records.length !== SEND) throw new Error(`decoded ${decoded.records.length} records`);
  };
  return { produce, decode, requestBytes: (await produce()).length };
}
