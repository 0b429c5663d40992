// Stopping never waits on a Kafka that does not answer longer than the reporter's own bound: the
// last reports are counts for the console, and a shutdown held up to its deadline exits without
// its orderly stop. A real Kafka client, pointed at a port where no broker listens.
import type { SpecEvent } from '@manifold/events';
import { KafkaClient } from '@manifold/kafka';
import { testLogger } from '@manifold/testing';
import type { SourceConfig } from '@manifold/config-client';
import { RecoveringSender } from '../../publish/recovering-sender';
import { PlanReporter } from './plan-reporter';

describe('PlanReporter.stop', () => {
  it('gives up the last reports after stopTimeoutMs when Kafka does not answer', async () => {
    const logger = testLogger('plan-reporter-stop');
    const kafka = new KafkaClient({ brokers: ['127.0.0.1:1'], clientId: 'plan-reporter-stop', logger });
    const sender = new RecoveringSender(() => kafka.producer(), logger);
    const reporter = new PlanReporter(
      sender,
      { topic: 'manifold.plan-reports.test', intervalMs: 60_000, stopTimeoutMs: 300 },
      logger,
    );
    const source = { id: 'src_1', workspaceId: 'ws_1' } as SourceConfig;
    const event = { type: 'track', event: 'Seen', properties: { a: 1 }, messageId: 'm1' } as unknown as SpecEvent;
    reporter.forSource(source).observations.see(event);
    const started = Date.now();
    await reporter.stop();
    // Without the bound, the send waits for kafkajs's connection retries (tens of seconds).
    expect(Date.now() - started).toBeLessThan(5_000);
    await kafka.disconnect().catch(() => undefined);
  });
});
