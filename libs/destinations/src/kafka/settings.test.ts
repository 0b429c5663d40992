import { secretMasker, translateEvent } from '@manifold/destination-kit';
import { validateDefinition } from '@manifold/destination-kit/testing';
import { kafka } from './index';
import { armoured } from './settings';
import { parsed, specEvent } from '../test-support/harness';

const base = { brokers: 'kafka-1:9093, kafka-2:9093', topic: 'segment-events', tls: false };
const track = specEvent({ type: 'track', event: 'Order Completed', properties: { total: 30 } });

describe('Kafka destination: settings', () => {
  it('is a valid definition', () => {
    expect(validateDefinition(kafka)).toEqual([]);
  });

  it.each([
    ['no brokers', { ...base, brokers: '' }, 'brokers'],
    ['a broker without port', { ...base, brokers: 'kafka-1' }, 'brokers'],
    ['a port out of range', { ...base, brokers: 'kafka-1:70000' }, 'brokers'],
    ['a topic with a space', { ...base, topic: 'my topic' }, 'topic'],
    ['SASL without a password', { ...base, saslMechanism: 'scram-sha-512', username: 'u' }, 'password'],
    ['an unknown mechanism', { ...base, saslMechanism: 'gssapi', username: 'u', password: 'p' }, 'saslMechanism'],
    ['a client certificate without its key', { ...base, tls: true, clientCertificate: 'MIIB' }, 'clientKey'],
    ['a CA with TLS off', { ...base, caCertificate: 'MIIB' }, 'tls'],
    ['an unknown key choice', { ...base, key: 'email' }, 'key'],
    ['an unknown partitioning', { ...base, partitioning: 'sticky' }, 'partitioning'],
  ])('refuses %s', (_name, settings, field) => {
    const result = kafka.settings.safeParse(settings);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it('defaults: key userId, partitioning by key, TLS on, no SASL', () => {
    expect(parsed(kafka, { brokers: 'k:9093', topic: 't' })).toMatchObject({
      key: 'userId',
      partitioning: 'key',
      tls: true,
      saslMechanism: 'none',
      clientId: 'manifold-kafka-destination',
    });
  });

  it('wraps a PEM body pasted without its armour lines, and leaves whole PEM as it is', () => {
    const body = 'QUJD'.repeat(40);
    const wrapped = armoured('CERTIFICATE', `${body.slice(0, 70)}\n${body.slice(70)}`);
    expect(wrapped.split('\n')).toEqual([
      '-----BEGIN CERTIFICATE-----',
      body.slice(0, 64),
      body.slice(64, 128),
      body.slice(128),
      '-----END CERTIFICATE-----',
      '',
    ]);
    expect(armoured('CERTIFICATE', wrapped)).toBe(wrapped);
  });

  it('marks the password and client key as secrets', () => {
    const settings = parsed(kafka, {
      ...base,
      tls: true,
      saslMechanism: 'plain',
      username: 'ann',
      password: 'pw-1f2e3d4c5b',
      clientCertificate: 'MIIBcert',
      clientKey: 'MIIEkeybody0123',
    });
    const masked = secretMasker(kafka, settings).text('login pw-1f2e3d4c5b with MIIEkeybody0123 as ann');
    expect(masked).not.toContain('pw-1f2e3d4c5b');
    expect(masked).not.toContain('MIIEkeybody0123');
    expect(masked).toContain('ann');
  });
});

describe('Kafka destination: records', () => {
  it.each([
    ['userId', track, 'user-1001'],
    ['userId', specEvent({ type: 'page', userId: undefined, name: 'Home' }), 'anon-4d2b9c'],
    ['messageId', track, track.messageId],
    ['none', track, null],
  ] as const)('key %s', (key, event, expected) => {
    const translation = translateEvent(kafka, event, parsed(kafka, { ...base, key }));
    if (translation.kind !== 'requests') throw new Error(translation.kind);
    const [request] = translation.requests;
    expect(JSON.parse(request?.body ?? '')).toEqual({ key: expected, value: event });
  });

  it.each(['track', 'identify', 'page', 'screen', 'group', 'alias'] as const)(
    '%s: the whole event as the value, type and messageId as headers, to kafka://brokers/topic',
    (type) => {
      const event = specEvent({ type });
      const translation = translateEvent(kafka, event, parsed(kafka, base));
      if (translation.kind !== 'requests') throw new Error(translation.kind);
      expect(translation.notices).toEqual([]);
      expect(translation.requests).toEqual([
        {
          method: 'POST',
          url: 'kafka://kafka-1:9093,kafka-2:9093/segment-events',
          headers: {
            'content-type': 'application/json',
            'manifold-type': type,
            'manifold-message-id': event.messageId,
          },
          body: JSON.stringify({ key: 'user-1001', value: event }),
        },
      ]);
    },
  );
});
