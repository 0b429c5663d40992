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
