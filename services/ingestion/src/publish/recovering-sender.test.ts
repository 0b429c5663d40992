import type { EventProducer } from '@manifold/kafka';
import { testLogger } from '@manifold/testing';
import { RecoveringSender } from './recovering-sender';

/** Stands in for a connected producer; Kafka itself is exercised by kafka-outage.test.ts. */
class FakeProducer {
  sent = 0;
  disconnected = false;
  constructor(private readonly failing: boolean) {}
  async send(): Promise<void> {
    if (this.failing) throw new Error('no acknowledgement');
    this.sent++;
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

describe('RecoveringSender', () => {
  it('replaces the producer after a failed send, so the next batch gets fresh sequence numbers', async () => {
    const made: FakeProducer[] = [];
    const plan = [true, false];
    const sender = new RecoveringSender(async () => {
      const producer = new FakeProducer(plan[made.length] ?? false);
      made.push(producer);
      return producer as unknown as EventProducer;
    }, testLogger('recovering-sender'));
    await sender.start();
    await expect(sender.send('t', [{ value: 'a' }])).rejects.toThrow('no acknowledgement');
    await new Promise((resolve) => setImmediate(resolve));
    await sender.send('t', [{ value: 'b' }]);
    await sender.send('t', [{ value: 'c' }]);
    expect(made).toHaveLength(2);
    expect(made[0]?.disconnected).toBe(true);
    expect(made[1]?.sent).toBe(2);
  });

  it('fails a send within its timeout while no producer can connect, and connects again later', async () => {
    let connects = 0;
    let kafkaUp = false;
    const sender = new RecoveringSender(async () => {
      connects++;
      // A connect attempt far longer than the send's timeout, so that a loaded machine's delays
      // cannot make the timeout look like the connect failing.
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (!kafkaUp) throw new Error('Kafka is not reachable');
      return new FakeProducer(false) as unknown as EventProducer;
    }, testLogger('recovering-sender'));
    const started = Date.now();
    await expect(sender.send('t', [{ value: 'a' }], { timeoutMs: 20 })).rejects.toThrow('within 20 ms');
    expect(Date.now() - started).toBeLessThan(400);
    await new Promise((resolve) => setTimeout(resolve, 600));
    kafkaUp = true;
    await sender.send('t', [{ value: 'b' }], { timeoutMs: 1000 });
    expect(connects).toBe(2);
  });
});
