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

/** An error and what it wraps (kafkajs's `originalError`, `cause`), outermost first. */
export function* causes(error: unknown): Generator<Error> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    yield current;
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause;
  }
}

/** Why a send or connection failed, as Kafka names it, and whether trying again later may help. */
export interface KafkaFailure {
  /** Kafka's error name (TOPIC_AUTHORIZATION_FAILED, MESSAGE_TOO_LARGE, ...), or the client's for a connection problem. */
  code: string;
  retriable: boolean;
  message: string;
}

/**
 * Errors the client library marks retriable that mean "the configuration is wrong" when the
 * topic is not auto-created: waiting does not create the topic.
 */
const FINAL_ANYWAY = new Set(['UNKNOWN_TOPIC_OR_PARTITION']);

/**
 * Reads a failed send or connect through the client library's wrapping errors: a refused login
 * or an untrusted certificate and Kafka's non-retriable errors are final; connection problems,
 * timeouts and Kafka's retriable errors (leader not available, not enough replicas) are not.
 */
export function kafkaFailure(error: unknown): KafkaFailure {
  for (const cause of causes(firstOfAggregate(error))) {
    if (cause.name === 'KafkaJSSASLAuthenticationError') {
      return { code: 'SASL_AUTHENTICATION_FAILED', retriable: false, message: cause.message };
    }
    const { code, type, retriable } = cause as { code?: unknown; type?: unknown; retriable?: unknown };
    if (typeof code === 'string' && TLS_VERIFY_CODES.test(code)) {
      return { code: 'TLS_CERTIFICATE_NOT_TRUSTED', retriable: false, message: `${code} ${cause.message}` };
    }
    if (typeof type === 'string') {
      return { code: type, retriable: retriable === true && !FINAL_ANYWAY.has(type), message: cause.message };
    }
  }
  // No answer from a broker: named as Kafka names those conditions, the client's words kept in the message.
  const chain = [...causes(firstOfAggregate(error))];
  const timedOut = chain.some((e) => /Timeout|did not acknowledge/i.test(`${e.name} ${e.message}`));
  return {
    code: timedOut ? 'REQUEST_TIMED_OUT' : 'BROKER_NOT_AVAILABLE',
    retriable: true,
    message: chain.map((e) => e.message).join(': ') || String(error),
  };
}

/** kafkajs reports the failures of several brokers' requests together; the first says enough. */
function firstOfAggregate(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const errors = (current as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors) || errors.length === 0) return current;
    current = errors[0];
  }
  return current;
}
