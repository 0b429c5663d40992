// Records per second through the Kafka destination's transport (one record per send, idempotent
// producer, acks=all) to a local broker, with 1 and 20 sends in flight per instance (20 is the
// translator's default INSTANCE_CONCURRENCY); runs interleaved, medians printed.
// Run: KAFKA_BROKERS=127.0.0.1:9092 pnpm exec tsx --tsconfig tsconfig.json libs/destinations/bench/kafka-transport-bench.ts
import { parseSettings, translateEvent, type RequestDescriptor } from '@manifold/destination-kit';
import { KafkaClient } from '@manifold/kafka';
import { createLogger } from '@manifold/logger';
import { kafka, KafkaTransport } from '../src/index';

const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const RECORDS = Number(process.env['RECORDS'] ?? 3000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const logger = createLogger('kafka-transport-bench', 'warn');

async function main(): Promise<void> {
  const admin = new KafkaClient({ brokers: BROKERS, clientId: 'kafka-transport-bench', logger });
  const topic = `bench-kafka-destination-${Date.now()}`;
  await admin.ensureTopics([{ topic, partitions: 3 }]);
  const parsed = parseSettings(kafka, { brokers: BROKERS.join(','), topic, tls: false });
  if (!parsed.ok) throw new Error(parsed.outcome.message);
  const settings = parsed.settings;
  const requests: RequestDescriptor[] = Array.from({ length: RECORDS }, (_, n) => {
    const event = {
      type: 'track' as const,
      event: 'Product Viewed',
      userId: `user-${n % 97}`,
      messageId: `m-${n}`,
      timestamp: new Date().toISOString(),
      properties: { product_id: `p-${n}`, price: 12.5, currency: 'EUR' },
      context: { ip: '203.0.113.7', locale: 'en-US' },
    };
    const t = translateEvent(kafka, event, settings);
    if (t.kind !== 'requests') throw new Error(t.kind);
    return t.requests[0] as RequestDescriptor;
  });
  const transport = new KafkaTransport({ logger }, kafka);
  const rates = new Map<number, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const inFlight of round % 2 ? [20, 1] : [1, 20]) {
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < requests.length) {
              const request = requests[next++] as RequestDescriptor;
              const answer = await transport.send(request, { instanceId: 'bench', settings });
              if (answer.status !== 200) throw new Error(answer.body);
            }
          }),
        );
        const rate = RECORDS / ((performance.now() - started) / 1000);
        rates.set(inFlight, [...(rates.get(inFlight) ?? []), rate]);
      }
    }
  } finally {
    await transport.close();
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  console.log(`Kafka destination, records/s (median of ${ROUNDS} rounds of ${RECORDS}, one record per send)`);
  for (const [inFlight, list] of [...rates].sort((a, b) => a[0] - b[0])) {
    console.log(`${String(inFlight).padStart(3)} in flight  ${median(list).toFixed(0).padStart(7)}`);
  }
}

void main();
