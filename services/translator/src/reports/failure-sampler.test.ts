import { translateEvent, type DestinationDefinition, type RequestDescriptor } from '@manifold/destination-kit';
import { destinationById } from '@manifold/destinations';
import type { DeliverySample } from '@manifold/events';
import { testLogger } from '@manifold/testing';
import { trackEvent } from '../test-support/harness';
import { FailureSampler } from './failure-sampler';

describe('FailureSampler', () => {
  const SECRET = 'whsec-0123456789abcdef';
  const webhook = destinationById('webhook') as DestinationDefinition;
  const settings = webhook.settings.parse({ url: `https://hooks.example.test/in?key=${SECRET}`, sharedSecret: SECRET });
  const event = trackEvent(1);
  const translation = translateEvent(webhook, event, settings);
  const request = (translation.kind === 'requests' ? translation.requests[0] : undefined) as RequestDescriptor;

  function setup() {
    let now = 1_000_000;
    const sent: DeliverySample[] = [];
    const lines: Array<{ msg: string; failures: number }> = [];
    const logger = testLogger('sampler');
    logger.warn = ((fields: { failures: number }, msg: string) => {
      lines.push({ msg, failures: fields.failures });
    }) as unknown as typeof logger.warn;
    const sampler = new FailureSampler({
      producer: {
        send: async (_topic, messages) => {
          for (const m of messages) sent.push(JSON.parse(String(m.value)) as DeliverySample);
          return [];
        },
      },
      topic: 'samples',
      logger,
      destinationType: 'webhook',
      sampleIntervalMs: 5000,
      logIntervalMs: 60_000,
      now: () => now,
    });
    return { sampler, sent, lines, advance: (ms: number) => (now += ms) };
  }

  const failure = (reason: string, instance = 'hook-1') => ({
    instance: { id: instance, workspaceId: 'ws' },
    outcome: 'retried' as const,
    reason,
    message: `HTTP 503 from ${request.url}`,
    event,
    attempt: 1,
    exchange: {
      request: request,
      response: { status: 503, headers: { 'x-echo': SECRET }, body: `no ${SECRET}` },
      answeredAt: 1,
    },
  });

  it('samples one failure per instance and reason every few seconds, and logs one line a minute', async () => {
    const { sampler, sent, lines, advance } = setup();
    for (let i = 0; i < 10; i++) sampler.failed(failure('http_503'));
    sampler.failed(failure('ECONNRESET'));
    sampler.failed(failure('http_503', 'hook-2'));
    advance(5000);
    sampler.failed(failure('http_503'));
    advance(55_000);
    sampler.failed(failure('http_503'));
    await sampler.stop();
    expect(sent.map((s) => `${s.destinationId}|${s.reason}`)).toEqual([
      'hook-1|http_503',
      'hook-1|ECONNRESET',
      'hook-2|http_503',
      'hook-1|http_503',
      'hook-1|http_503',
    ]);
    // The first failure at once, then one line a minute counting what it stood for.
    expect(lines.map((l) => l.failures)).toEqual([1, 1, 1, 11]);
    expect(lines[3]!.msg).toContain('11 failures with this reason');
  });

  it('masks every secret of the instance in the request, the answer and the message', async () => {
    const { sampler, sent, lines } = setup();
    sampler.failed(failure('http_503'));
    await sampler.stop();
    const text = JSON.stringify(sent) + JSON.stringify(lines);
    expect(text).not.toContain(SECRET);
    expect(sent[0]).toMatchObject({
      messageId: event.messageId,
      eventType: 'track',
      eventName: 'Order Completed',
      response: { status: 503, headers: { 'x-echo': '********' }, body: 'no ********' },
    });
    expect(sent[0]!.request?.url).toContain('key=********');
  });
});
