// A real ingestion process publishing to Kafka over SASL_SSL (SCRAM-SHA-512, TLS with a CA of
// its own), configured only by the KAFKA_* variables a deployment sets.
import { KafkaClient } from '@manifold/kafka';
import { PrivateKafka, readTopicUntil, testLogger, uniqueName } from '@manifold/testing';
import { basicAuth, WRITE_KEY } from './test-support/harness';
import { startIngestionProcess, type IngestionChild } from './test-support/ingestion-process';

jest.setTimeout(180_000);

describe('ingestion with Kafka over SASL_SSL', () => {
  let kafka: PrivateKafka;
  let ingestion: IngestionChild | undefined;

  beforeAll(async () => {
    kafka = await PrivateKafka.create({ saslSsl: true });
    await kafka.start();
  });

  afterAll(async () => {
    await ingestion?.stop();
    await kafka?.destroy();
  });

  it('accepts an event and publishes it through the secured listener', async () => {
    ingestion = await startIngestionProcess(kafka.saslSslClientEnv());
    const response = await fetch(`${ingestion.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuth(WRITE_KEY) },
      body: JSON.stringify({ event: 'Secured', userId: 'u1', messageId: uniqueName('m') }),
    });
    expect(response.status).toBe(200);
    // Read back through the broker's plaintext listener: the record is on the broker.
    const reader = new KafkaClient({
      brokers: kafka.brokers,
      clientId: uniqueName('reader'),
      logger: testLogger('reader'),
    });
    try {
      const messages = await readTopicUntil(reader, ingestion.topic, (m) => m.length >= 1, 60_000);
      expect(JSON.parse(messages[0]?.value?.toString() ?? '{}')).toMatchObject({ event: 'Secured', userId: 'u1' });
    } finally {
      await reader.disconnect();
    }
  });
});
