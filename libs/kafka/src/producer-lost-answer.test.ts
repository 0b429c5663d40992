// A send whose batch the broker wrote but whose answer never came (the broker hung past the
// request timeout). kafkajs rolled the batch's sequence numbers back, so the next send's batch of
// as many messages went out with the same numbers: the broker took it for a retry of the first,
// answered with the first one's offset and did not write it: an acknowledged message lost (in
// the translator, an event handed to a retry tier that never came back). The patched client takes
// a new producer id after such a request instead.
import { KafkaUnavailableError } from './errors';
import { KafkaClient } from './client';
import { PrivateKafka, readTopicUntil, testLogger } from '@manifold/testing';

describe('idempotent producer after a send whose answer was lost', () => {
  let kafka: PrivateKafka;
  let client: KafkaClient;
  let producing: KafkaClient;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    await kafka.start();
    const logger = testLogger('lost-answer');
    client = new KafkaClient({ brokers: kafka.brokers, clientId: 'lost-answer', logger });
    // Short requests for the producer alone: the send to the frozen broker fails within seconds.
    producing = new KafkaClient({
      brokers: kafka.brokers,
      clientId: 'lost-answer-producer',
      logger,
      requestTimeoutMs: 3000,
    });
  }, 180_000);

  afterAll(async () => {
    await producing?.disconnect().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
    await kafka?.destroy();
  }, 60_000);

  it('writes the next send, which it acknowledges, instead of taking it for a duplicate', async () => {
    const topic = 'lost-answer';
    await client.ensureTopics([{ topic, partitions: 1 }]);
    const producer = await producing.producer();
    const message = (value: string) => ({ key: 'same-partition', value });
    await producer.send(topic, [message('before')]);

    await kafka.freeze();
    try {
      // The request reaches the broker and waits there; the client gives up on it.
      await expect(producer.send(topic, [message('in doubt')])).rejects.toThrow(KafkaUnavailableError);
    } finally {
      // The broker now writes the batch it was sent, and answers nobody.
      kafka.thaw();
    }
    const [sent] = await producer.send(topic, [message('after')], { timeoutMs: 30_000 });

    const stored = await readTopicUntil(client, topic, (m) => m.some((x) => x.value?.toString() === 'after'), 20_000);
    const values = stored.map((m) => m.value?.toString());
    const at = stored.find((m) => m.offset === sent?.baseOffset)?.value?.toString();
    // The batch in doubt is there (a retry of it may be there twice, never lost).
    expect({ values, at }).toEqual({ values: expect.arrayContaining(['before', 'in doubt', 'after']), at: 'after' });
    await producer.disconnect();
  }, 240_000);
});
