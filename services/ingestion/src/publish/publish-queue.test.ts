import { KafkaUnavailableError, type OutgoingMessage } from '@manifold/kafka';
import { PublishQueue, type MessageSender, type PublishQueueOptions } from './publish-queue';

/** A sender whose sends the test completes by hand, to observe how the queue groups messages. */
class ManualSender implements MessageSender {
  readonly sends: Array<{ messages: readonly OutgoingMessage[]; settle: (error?: Error) => void }> = [];

  send(_topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sends.push({ messages, settle: (error) => (error ? reject(error) : resolve()) });
    });
  }
}

const message = (value: string): OutgoingMessage => ({ key: 'k', value });
const tick = () => new Promise((resolve) => setImmediate(resolve));

function queue(sender: MessageSender, options: Partial<PublishQueueOptions> = {}): PublishQueue {
  return new PublishQueue(sender, {
    topic: 't',
    maxBatchMessages: 10,
    maxBatchBytes: 100000,
    lingerMs: 5,
    timeoutMs: 1000,
    maxQueuedBytes: 1000000,
    maxConcurrentSends: 1,
    ...options,
  });
}

describe('PublishQueue', () => {
  it('gathers concurrent callers into one send and resolves each only when it is acknowledged', async () => {
    const sender = new ManualSender();
    const q = queue(sender);
    const settled: string[] = [];
    const a = q.publish([message('a1'), message('a2')]).then(() => settled.push('a'));
    const b = q.publish([message('b1')]).then(() => settled.push('b'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sender.sends).toHaveLength(1);
    expect(sender.sends[0]?.messages.map((m) => m.value)).toEqual(['a1', 'a2', 'b1']);
    expect(settled).toEqual([]);
    sender.sends[0]?.settle();
    await Promise.all([a, b]);
    expect(settled).toEqual(['a', 'b']);
  });

  it('with no linger, sends what arrived in the same event-loop turn together', async () => {
    const sender = new ManualSender();
    const q = queue(sender, { lingerMs: 0 });
    const calls = [q.publish([message('a')]), q.publish([message('b')])];
    await new Promise((resolve) => setImmediate(resolve));
    expect(sender.sends.map((s) => s.messages.map((m) => m.value))).toEqual([['a', 'b']]);
    sender.sends[0]?.settle();
    await Promise.all(calls);
  });

  it('sends at once when a batch is full, and fills the next one while a send is in flight', async () => {
    const sender = new ManualSender();
    const q = queue(sender, { lingerMs: 10000, maxBatchMessages: 3 });
    const first = q.publish([message('1'), message('2'), message('3')]);
    await tick();
    expect(sender.sends).toHaveLength(1);
    const second = q.publish([message('4')]);
    const third = q.publish([message('5')]);
    await tick();
    expect(sender.sends).toHaveLength(1);
    sender.sends[0]?.settle();
    await first;
    await tick();
    // What gathered during the first send goes out as soon as it completes, without lingering.
    expect(sender.sends[1]?.messages.map((m) => m.value)).toEqual(['4', '5']);
    sender.sends[1]?.settle();
    await Promise.all([second, third]);
  });

  it('fails every caller of a failed send, and only them', async () => {
    const sender = new ManualSender();
    const q = queue(sender, { maxBatchMessages: 2 });
    const a = q.publish([message('a'), message('b')]);
    await tick();
    const c = q.publish([message('c')]);
    sender.sends[0]?.settle(new Error('broker gone'));
    await expect(a).rejects.toBeInstanceOf(KafkaUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    sender.sends[1]?.settle();
    await expect(c).resolves.toBeUndefined();
  });

  it('splits a large caller across sends by bytes and resolves it when all parts are acknowledged', async () => {
    const sender = new ManualSender();
    // Each message counts 60 + 1 (key) + 24 (overhead) = 85 bytes: two fit under 250.
    const q = queue(sender, { maxBatchBytes: 250, maxBatchMessages: 1000, maxConcurrentSends: 2 });
    let done = false;
    const big = q.publish(Array.from({ length: 6 }, (_, i) => message(`${i}`.repeat(60)))).then(() => (done = true));
    await tick();
    expect(sender.sends.map((s) => s.messages.length)).toEqual([2, 2]);
    sender.sends[0]?.settle();
    sender.sends[1]?.settle();
    await tick();
    expect(done).toBe(false);
    expect(sender.sends.map((s) => s.messages.length)).toEqual([2, 2, 2]);
    sender.sends[2]?.settle();
    await big;
    expect(done).toBe(true);
  });

  it('refuses at once when too much already waits, and fails messages that waited past the timeout', async () => {
    const sender = new ManualSender();
    // Each message counts 50 + 1 (key) + 24 = 75 bytes.
    const q = queue(sender, { maxQueuedBytes: 160, maxBatchMessages: 1, timeoutMs: 30 });
    const stuck = q.publish([message('x'.repeat(50))]);
    await tick();
    const waiting = q.publish([message('y'.repeat(50))]);
    await expect(q.publish([message('z'.repeat(50))])).rejects.toThrow('waiting for Kafka');
    await new Promise((resolve) => setTimeout(resolve, 60));
    sender.sends[0]?.settle();
    await stuck;
    await expect(waiting).rejects.toThrow('took no messages');
    expect(q.queuedBytes).toBe(0);
  });

  it('counts the bytes of a send in flight until it is acknowledged, and lets one large caller through alone', async () => {
    const sender = new ManualSender();
    const q = queue(sender, { maxQueuedBytes: 100, lingerMs: 0 });
    // Larger than the bound, but nothing else is held: it goes through.
    const large = q.publish([message('a'.repeat(150))]);
    await tick();
    expect(sender.sends).toHaveLength(1);
    expect(q.queuedBytes).toBe(175);
    expect(q.saturated).toBe(true);
    // Nothing waits to be sent, but the send in flight still holds its memory.
    await expect(q.publish([message('b')])).rejects.toThrow('would pass the limit');
    sender.sends[0]?.settle();
    await large;
    expect(q.queuedBytes).toBe(0);
    const next = q.publish([message('c')]);
    await tick();
    sender.sends[1]?.settle();
    await expect(next).resolves.toBeUndefined();
  });

  it('drains: resolves once everything queued was sent', async () => {
    const sender = new ManualSender();
    const q = queue(sender, { lingerMs: 10000 });
    const a = q.publish([message('a')]);
    let drained = false;
    const draining = q.drain().then(() => (drained = true));
    await tick();
    expect(sender.sends).toHaveLength(1);
    expect(drained).toBe(false);
    sender.sends[0]?.settle();
    await Promise.all([a, draining]);
    expect(drained).toBe(true);
  });
});
