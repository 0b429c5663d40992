// @ts-check
// What the Kafka client alone costs the ingestion process: CPU per message of
// EventProducer.send (@manifold/kafka) by batch size, with and without the six headers every
// event message carries. Needs `pnpm build` and Kafka on KAFKA_BROKERS (default 127.0.0.1:9092).
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const { KafkaClient } = require('@manifold/kafka');
const { createLogger } = require('@manifold/logger');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new KafkaClient({ brokers, clientId: 'producer-bench', logger: createLogger('producer-bench', 'error') });
const topic = `manifold.bench.producer.${Date.now().toString(36)}`;
await kafka.ensureTopics([{ topic, partitions: 6 }]);
const producer = await kafka.producer();

const now = new Date().toISOString();
const value = JSON.stringify({
  type: 'track',
  userId: 'user-1',
  event: 'Product Viewed',
  properties: { product_id: 'p-1', price: 19.99, currency: 'USD', category: 'Games' },
  context: { library: { name: 'bench', version: '1.0.0' }, locale: 'en-US', userAgent: 'bench/1.0', ip: '127.0.0.1' },
  timestamp: now,
  messageId: `api-${randomUUID()}`,
  receivedAt: now,
  integrations: {},
  version: 2,
});
const headers = {
  'manifold-source-id': 'src-bench',
  'manifold-workspace-id': 'ws-bench',
  'manifold-message-id': `api-${randomUUID()}`,
  'manifold-type': 'track',
  'manifold-received-at': now,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

const rows = [];
try {
  await producer.send(topic, [{ key: 'warm-up', value, headers }]);
  for (const withHeaders of [true, false]) {
    for (const batchSize of [1, 10, 50, 500]) {
      const total = batchSize === 1 ? 2000 : 30000;
      const cpu = process.cpuUsage();
      const started = Date.now();
      for (let sent = 0; sent < total; sent += batchSize) {
        const messages = [];
        for (let i = 0; i < batchSize; i++) {
          messages.push({ key: `user-${(sent + i) % 1000}`, value, ...(withHeaders ? { headers } : {}) });
        }
        await producer.send(topic, messages);
      }
      const used = process.cpuUsage(cpu);
      const micros = used.user + used.system;
      rows.push({
        headers: withHeaders ? 6 : 0,
        'messages/send': batchSize,
        'CPU µs/message': Math.round(micros / total),
        'CPU ms/send': Number((micros / (total / batchSize) / 1000).toFixed(2)),
        'messages/s (one send at a time)': Math.round((total * 1000) / (Date.now() - started)),
      });
    }
  }
  console.table(rows);
} finally {
  await producer.disconnect();
  await kafka.deleteTopics([topic]).catch(() => undefined);
  await kafka.disconnect();
}
