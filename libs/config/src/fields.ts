import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Field types for environment variables; each parses a string and says what it expected. */
export const env = {
  string: () => z.string(),
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a TCP port number' })
      .int('expected a whole number')
      .min(0, 'expected a port from 0 to 65535')
      .max(65535, 'expected a port from 0 to 65535')
      .default(fallback),
  int: (fallback: number, min = 0) =>
    z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  url: (protocols: readonly string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
    ),
  /**
   * A MongoDB connection string. Not parsed as a WHATWG URL: a replica set names several hosts
   * (mongodb://a:27017,b:27017/db?replicaSet=rs0), which URL parsing rejects.
   */
  mongoUrl: () =>
    z.string().regex(/^mongodb(\+srv)?:\/\/[^/?#\s]+(\/[^?#\s]*)?(\?\S*)?$/, {
      message: 'expected a MongoDB connection string, mongodb://host:port[,host:port...]/[database][?options]',
    }),
  /**
   * KAFKA_TOPIC_PREFIX: put before every Kafka topic and consumer-group name, so stacks (and
   * tests) that share a cluster never read each other's records. Empty in a deployment.
   */
  kafkaTopicPrefix: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, { message: "expected only letters, digits, '.', '_' and '-'" })
      .default(''),
  /** A comma-separated list of host:port pairs, as Kafka clients take them. */
  hostPorts: () =>
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((list) => list.length > 0 && list.every((hp) => /^[^\s:]+:\d{1,5}$/.test(hp)), {
        message: 'expected a comma-separated list of host:port',
      }),
  /** A 256-bit key, base64-encoded, as `openssl rand -base64 32` prints one. */
  key256: () =>
    z
      .string()
      .refine(
        (v) => Buffer.from(v, 'base64').length === 32,
        'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
      ),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(fallback as never),
  /** One of `values`, or unset (no default). */
  optionalOneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).optional(),
  /**
   * A path to a file that is read at start (a PEM certificate or key): a missing or unreadable
   * file is a configuration problem reported with the others, not a failure at first use.
   */
  file: () =>
    z.string().transform((path, ctx) => {
      try {
        return { path, text: readFileSync(path, 'utf8') };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        ctx.addIssue({ code: 'custom', message: `cannot read the file (${code})` });
        return z.NEVER;
      }
    }),
};

/** A file named by a variable, with what it held at start. */
export interface ConfigFile {
  path: string;
  text: string;
}
