import { z } from 'zod';
import { secret } from '@manifold/destination-kit';
import { KAFKA_SASL_MECHANISMS } from '@manifold/kafka';

const HOST_PORT = /^[A-Za-z0-9.-]+:(\d{1,5})$/;

/** `host:port` pairs, comma-separated, each port 1–65535. */
const brokerList = z
  .string()
  .refine((text) => brokersOf(text).every((b) => HOST_PORT.test(b) && Number(b.split(':')[1]) <= 65535), {
    message: 'brokers must be comma-separated host:port pairs',
  });

export function brokersOf(text: string): string[] {
  return text.split(',').map((b) => b.trim());
}

/**
 * PEM text; a body pasted without its BEGIN/END lines (as Segment asks for) is wrapped in them
 * when used. Kept as given in the settings, so a secret is masked as the user typed it.
 */
export function armoured(label: string, text: string): string {
  if (text.includes('-----BEGIN')) return text;
  const lines = text.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export const KAFKA_KEYS = ['userId', 'messageId', 'none'] as const;
export const KAFKA_PARTITIONINGS = ['key', 'random', 'round-robin'] as const;

export const kafkaSettings = z
  .object({
    brokers: brokerList.meta({
      title: 'Brokers',
      description: 'Bootstrap brokers of your cluster, comma-separated host:port (e.g. kafka-1:9093,kafka-2:9093).',
    }),
    topic: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_" and "-"')
      .meta({ title: 'Topic', description: 'Every event is written to this topic; it must exist.' }),
    key: z.enum(KAFKA_KEYS).default('userId').meta({
      title: 'Record key',
      description:
        'userId (anonymousId when there is none) keeps each user’s events in order on one partition; messageId; or none.',
    }),
    partitioning: z.enum(KAFKA_PARTITIONINGS).default('key').meta({
      title: 'Partitioning',
      description:
        'key: by the record key (murmur2, as the Java client; keyless records round-robin); random; round-robin.',
    }),
    batchSize: z.number().int().min(1).max(1000).default(100).meta({
      title: 'Batch size',
      description: 'Events written per batch (each partition’s records in one send). 1 writes each event on its own.',
    }),
    clientId: z.string().min(1).default('manifold-kafka-destination').meta({ title: 'Client id' }),
    saslMechanism: z
      .enum(['none', ...KAFKA_SASL_MECHANISMS])
      .default('none')
      .meta({
        title: 'SASL mechanism',
        description: 'How Manifold logs in: none, PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.',
      }),
    username: z.string().min(1).optional().meta({ title: 'SASL username' }),
    password: secret(z.string().min(1), 'SASL password.').optional(),
    tls: z.boolean().default(true).meta({ title: 'TLS', description: 'Connect over TLS (on by default).' }),
    caCertificate: z.string().min(1).optional().meta({
      title: 'CA certificate',
      description: 'PEM of the CA that signed the brokers’ certificates (the system’s CAs when empty).',
    }),
    clientCertificate: z
      .string()
      .min(1)
      .optional()
      .meta({ title: 'Client certificate', description: 'PEM, for brokers that ask for mutual TLS.' }),
    clientKey: secret(z.string().min(1), 'PEM private key of the client certificate.').optional(),
  })
  .superRefine((s, ctx) => {
    if (s.saslMechanism !== 'none') {
      for (const field of ['username', 'password'] as const) {
        if (s[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required with SASL` });
      }
    }
    if ((s.clientCertificate === undefined) !== (s.clientKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['clientKey'], message: 'client certificate and key go together' });
    }
    if (!s.tls && (s.caCertificate || s.clientCertificate)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'certificates need TLS on' });
    }
  });

export type KafkaSettings = z.output<typeof kafkaSettings>;
