// SASL and TLS against a real broker: a private Kafka with a SASL_SSL listener (SCRAM over TLS,
// a CA and broker certificate made by openssl), configured the way services are, from KAFKA_*
// variables through the config loader.
import { ConfigError, env, loadConfig } from '@manifold/config';
import { PrivateKafka, rejectionOf, testLogger, uniqueName } from '@manifold/testing';
import { Writable } from 'node:stream';
import { createLogger } from '@manifold/logger';
import {
  checkKafkaConnectionConfig,
  KafkaAuthenticationError,
  KafkaClient,
  kafkaClientSettings,
  kafkaConnectionConfigShape,
  type ConsumedMessage,
} from './index';

jest.setTimeout(180_000);

const logger = testLogger('kafka-secure');
const shape = { KAFKA_BROKERS: env.hostPorts(), ...kafkaConnectionConfigShape };

function clientFrom(source: Record<string, string>, log = logger): KafkaClient {
  const config = loadConfig('kafka-secure-test', shape, source, [checkKafkaConnectionConfig]);
  return new KafkaClient({
    brokers: config.KAFKA_BROKERS,
    clientId: uniqueName('secure'),
    logger: log,
    connectionTimeoutMs: 5000,
    ...kafkaClientSettings(config),
  });
}

describe('Kafka over SASL_SSL', () => {
  let kafka: PrivateKafka;
  let clientEnv: Record<string, string>;

  beforeAll(async () => {
    kafka = await PrivateKafka.create({ saslSsl: true });
    await kafka.start();
    clientEnv = kafka.saslSslClientEnv();
  });

  afterAll(async () => {
    await kafka?.destroy();
  });

  it('produces and consumes with SCRAM-SHA-512 over TLS, trusting only the given CA', async () => {
    expect(clientEnv['KAFKA_SASL_MECHANISM']).toBe('scram-sha-512');
    const client = clientFrom(clientEnv);
    try {
      const topic = uniqueName('secure');
      await client.ensureTopics([{ topic, partitions: 1 }]);
      const producer = await client.producer();
      await producer.send(topic, [{ key: 'k', value: JSON.stringify({ n: 1 }) }], { timeoutMs: 15000 });
      await producer.disconnect();

      const received: ConsumedMessage[] = [];
      const consumer = client.consumer({
        groupId: uniqueName('secure-group'),
        topics: [topic],
        handleBatch: async (batch) => {
          received.push(...batch.messages);
        },
      });
      await consumer.run();
      const deadline = Date.now() + 60_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await consumer.stop();
      expect(received.map((m) => m.value?.toString())).toEqual([JSON.stringify({ n: 1 })]);
    } finally {
      await client.disconnect();
    }
  });

  it.each(['scram-sha-256', 'plain'])('logs in with %s too', async (mechanism) => {
    const client = clientFrom({ ...clientEnv, KAFKA_SASL_MECHANISM: mechanism });
    try {
      expect(await client.ping()).toEqual({ brokers: 1 });
    } finally {
      await client.disconnect();
    }
  });

  it('presents a client certificate when one is configured (mutual TLS)', async () => {
    const client = clientFrom({
      ...clientEnv,
      KAFKA_TLS_CERT_FILE: `${kafka.secureDir}/client.pem`,
      KAFKA_TLS_KEY_FILE: `${kafka.secureDir}/client.key`,
    });
    try {
      expect(await client.ping()).toEqual({ brokers: 1 });
    } finally {
      await client.disconnect();
    }
  });

  it('says the login was refused for a wrong password, and never shows the password', async () => {
    const wrong = 'not-the-password-0123';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const client = clientFrom(
      { ...clientEnv, KAFKA_SASL_PASSWORD: wrong },
      createLogger('kafka-secure', 'debug', sink),
    );
    try {
      const error = await rejectionOf(() => client.ping());
      expect(error).toBeInstanceOf(KafkaAuthenticationError);
      expect(error.message).toContain('refused the SASL login');
      expect(error.message).toContain('KAFKA_SASL_PASSWORD');
      expect(error.message).not.toContain(wrong);
      // kafkajs's own lines about the refusal reach the service's log, without the password.
      expect(lines.join('')).toContain('SASL');
      expect(lines.join('')).not.toContain(wrong);
    } finally {
      await client.disconnect();
    }
  });

  it('refuses a broker whose certificate the configured CA did not sign', async () => {
    const { KAFKA_TLS_CA_FILE: _ca, ...withoutCa } = clientEnv;
    const error = await rejectionOf(async () => {
      const client = clientFrom(withoutCa);
      try {
        await client.ping();
      } finally {
        await client.disconnect();
      }
    });
    expect(error).toBeInstanceOf(KafkaAuthenticationError);
    expect(error.message).toContain('is not trusted (check KAFKA_TLS_CA_FILE)');
  });
});

describe('Kafka security configuration', () => {
  const base = { KAFKA_BROKERS: 'k:9093' };

  it('is plaintext without credentials by default', () => {
    const config = loadConfig('svc', shape, base, [checkKafkaConnectionConfig]);
    expect(kafkaClientSettings(config)).toEqual({ replicationFactor: 1 });
  });

  it('lists every missing or stray variable, never quoting the password', () => {
    let error: unknown;
    try {
      loadConfig(
        'svc',
        shape,
        {
          ...base,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem',
        },
        [checkKafkaConnectionConfig],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'KAFKA_TLS_CA_FILE="/nonexistent/ca.pem": cannot read the file (ENOENT)',
    ]);

    try {
      loadConfig('svc', shape, { ...base, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 's3cret-pw' }, [
        checkKafkaConnectionConfig,
      ]);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
    ]);
    expect((error as ConfigError).message).not.toContain('s3cret-pw');

    try {
      loadConfig('svc', shape, { ...base, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_PASSWORD: 's3cret-pw' }, [
        checkKafkaConnectionConfig,
      ]);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'KAFKA_SASL_MECHANISM="gssapi": expected one of plain, scram-sha-256, scram-sha-512',
    ]);
  });

  it('refuses TLS files without KAFKA_TLS=true', () => {
    expect(() =>
      loadConfig('svc', shape, { ...base, KAFKA_TLS_CERT_FILE: __filename, KAFKA_TLS_KEY_FILE: __filename }, [
        checkKafkaConnectionConfig,
      ]),
    ).toThrow('KAFKA_TLS_CERT_FILE=');
  });
});
