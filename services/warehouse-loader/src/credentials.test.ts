// A warehouse's credentials never reach its load records or the loader's logs, whatever the
// driver quotes. Against a real Kafka and PostgreSQL.
import { Writable } from 'node:stream';
import { KafkaClient, type EventProducer } from '@manifold/kafka';
import { createLogger } from '@manifold/logger';
import { SECRET_MASK } from '@manifold/secrets';
import { requireKafka, requirePostgres, testInfrastructure, testLogger } from '@manifold/testing';
import { createEngine } from '@manifold/warehouse';
import { sampleEvents } from '@manifold/warehouse/testing';
import type { EngineFactory } from './warehouse-loader';
import { eventsTopic, produce, source, testSupervisor, waitFor, warehouse } from './testing/harness';

const { kafkaBrokers, warehousePostgresUrl } = testInfrastructure();
let kafka: KafkaClient;
let producer: EventProducer;

beforeAll(async () => {
  await requireKafka(kafkaBrokers);
  await requirePostgres(warehousePostgresUrl);
  kafka = new KafkaClient({
    brokers: kafkaBrokers,
    clientId: 'warehouse-loader-credentials-test',
    logger: testLogger('x'),
  });
  producer = await kafka.producer();
});

afterAll(async () => {
  await producer?.disconnect();
  await kafka?.disconnect();
});

it('masks the connection URL and its parts in load records and in everything the loader logs', async () => {
  // A role that does not exist: PostgreSQL's refusal quotes it.
  const url = new URL(warehousePostgresUrl);
  url.username = 'manifold_loader_9f8e';
  url.password = 'pw-7d6c5b4a3f';
  const lines: string[] = [];
  const logger = createLogger(
    'credentials-test',
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  // The engine logs what a driver might: an error quoting the URL it was given.
  const quotingFactory: EngineFactory = (kind, settings, engineLogger) => {
    engineLogger.warn({ err: new Error(`cannot reach ${String(settings['url'])}`) }, 'opening the warehouse');
    return createEngine(kind, settings, engineLogger);
  };
  const topic = await eventsTopic(kafka, 1);
  const web = source();
  const config = warehouse('postgres', { url: url.toString() }, [web.id]);
  const { history, supervisor } = testSupervisor(
    kafka,
    logger,
    topic,
    { sources: [web], warehouses: [config] },
    {
      createEngine: quotingFactory,
    },
  );
  await supervisor.start();
  try {
    await produce(producer, topic, web, [sampleEvents.track()]);
    await waitFor(() => history.records.some((r) => r.status === 'failure'), 30000, 'a failed load');
  } finally {
    await supervisor.stop();
  }
  const failure = history.records.find((r) => r.status === 'failure');
  expect(failure?.errors[0]).toContain(`"${SECRET_MASK}"`);
  const written = [JSON.stringify(history.records), ...lines].join('\n');
  for (const secret of ['manifold_loader_9f8e', 'pw-7d6c5b4a3f', url.toString()]) expect(written).not.toContain(secret);
  expect(lines.join('\n')).toContain(`cannot reach ${SECRET_MASK}`);
}, 60000);
