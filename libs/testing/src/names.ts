import { randomBytes } from 'node:crypto';

/** A name no other test run uses (topics, groups, databases), so tests never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * A KAFKA_TOPIC_PREFIX of its own, for a test that runs services together (their default topic
 * and group names, under it): a stack started with `pnpm start` on the same Kafka never reads
 * the test's records, nor the test the stack's.
 */
export function testTopicPrefix(): string {
  return `${uniqueName('test')}.`;
}
