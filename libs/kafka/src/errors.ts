/** Kafka could not take or give messages in time; callers answer "try again later" (503). */
export class KafkaUnavailableError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'KafkaUnavailableError';
  }
}

/**
 * The brokers refused the client's SASL credentials, or the TLS handshake failed: waiting does
 * not help, the configuration must change. Still a KafkaUnavailableError, so callers that answer
 * "try again later" keep doing so while the message says what to fix.
 */
export class KafkaAuthenticationError extends KafkaUnavailableError {
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    this.name = 'KafkaAuthenticationError';
  }
}

/** The brokers refused to create a topic (a replication factor above the broker count, a bad setting). */
export class KafkaTopicCreationError extends Error {
  constructor(
    message: string,
    /** Kafka's error name for the first refused topic, e.g. INVALID_REPLICATION_FACTOR. */
    readonly type: string | undefined,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'KafkaTopicCreationError';
  }
}

/** Node's codes for a broker certificate the client does not trust or that names another host. */
const TLS_VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * Why connecting to Kafka failed, in words that name what to fix: a refused SASL login or a
 * failed TLS handshake becomes a KafkaAuthenticationError, anything else a KafkaUnavailableError
 * saying `what`. Looks through kafkajs's wrapping errors (retries exceeded, connection errors).
 */
export function connectError(what: string, brokers: readonly string[], error: unknown): KafkaUnavailableError {
  const where = brokers.join(',');
  for (const cause of causes(error)) {
    if (cause.name === 'KafkaJSSASLAuthenticationError') {
      return new KafkaAuthenticationError(
        `Kafka at ${where} refused the SASL login (check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD): ${cause.message}`,
        error,
      );
    }
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_VERIFY_CODES.test(code)) {
      return new KafkaAuthenticationError(
        `the TLS certificate of Kafka at ${where} is not trusted (check KAFKA_TLS_CA_FILE): ${code} ${cause.message}`,
        error,
      );
    }
  }
  return new KafkaUnavailableError(what, error);
}

function* causes(error: unknown): Generator<Error> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    yield current;
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause;
  }
}
