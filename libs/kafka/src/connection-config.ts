import {
  env,
  requiredTogether,
  usedOnlyWhen,
  type ConfigFile,
  type ConfigOf,
  type ConfigProblem,
} from '@manifold/config';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How a client proves who it is to the brokers and checks who they are (managed Kafka, Strimzi TLS listeners). */
export interface KafkaSecurity {
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** TLS to the brokers; `ca` replaces the system's trusted CAs, `cert` and `key` are the client's own (mutual TLS). */
  tls?: { ca?: string; cert?: string; key?: string };
}

/**
 * The variables every service that talks to Kafka reads, next to KAFKA_BROKERS (which services
 * declare themselves: optional in the control plane, required elsewhere).
 */
export const kafkaConnectionConfigShape = {
  /** Of every topic Manifold creates (3 on a production cluster); existing topics are left as they are. */
  KAFKA_REPLICATION_FACTOR: env.int(1, 1),
  KAFKA_SASL_MECHANISM: env.optionalOneOf(KAFKA_SASL_MECHANISMS),
  KAFKA_SASL_USERNAME: env.string().optional(),
  KAFKA_SASL_PASSWORD: env.string().optional(),
  KAFKA_TLS: env.bool(false),
  KAFKA_TLS_CA_FILE: env.file().optional(),
  KAFKA_TLS_CERT_FILE: env.file().optional(),
  KAFKA_TLS_KEY_FILE: env.file().optional(),
};

export type KafkaConnectionConfig = ConfigOf<typeof kafkaConnectionConfigShape>;

/** The rules across those variables: a mechanism needs both credentials, TLS files need KAFKA_TLS. */
export function checkKafkaConnectionConfig(config: KafkaConnectionConfig): ConfigProblem[] {
  const credentials = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  const missing = config.KAFKA_SASL_MECHANISM ? credentials.filter((v) => config[v] === undefined) : [];
  return [
    ...missing.map((variable) => ({ variable, message: 'is required when KAFKA_SASL_MECHANISM is set' })),
    ...usedOnlyWhen(config, config.KAFKA_SASL_MECHANISM !== undefined, [...credentials], 'KAFKA_SASL_MECHANISM'),
    ...usedOnlyWhen(
      config,
      config.KAFKA_TLS,
      ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'],
      'KAFKA_TLS=true',
    ),
    ...requiredTogether(config, 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE'),
  ];
}

/** What a service's KafkaClient takes from its configuration, besides the brokers. */
export interface KafkaClientSettings {
  security?: KafkaSecurity;
  replicationFactor: number;
}

/** The client settings from checked configuration (spread into KafkaClient's options). */
export function kafkaClientSettings(config: KafkaConnectionConfig): KafkaClientSettings {
  const security = kafkaSecurity(config);
  return { replicationFactor: config.KAFKA_REPLICATION_FACTOR, ...(security && { security }) };
}

/** Undefined for a plaintext, unauthenticated cluster. */
function kafkaSecurity(config: KafkaConnectionConfig): KafkaSecurity | undefined {
  const text = (file: ConfigFile | undefined): string | undefined => file?.text;
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  const sasl =
    mechanism && username !== undefined && password !== undefined ? { mechanism, username, password } : undefined;
  const tls = config.KAFKA_TLS
    ? {
        ca: text(config.KAFKA_TLS_CA_FILE),
        cert: text(config.KAFKA_TLS_CERT_FILE),
        key: text(config.KAFKA_TLS_KEY_FILE),
      }
    : undefined;
  if (!sasl && !tls) return undefined;
  return { ...(sasl && { sasl }), ...(tls && { tls }) };
}
