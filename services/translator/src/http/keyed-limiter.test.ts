import { KeyedLimiter } from './keyed-limiter';

describe('KeyedLimiter', () => {
  it('runs at most `limit` tasks per key, in order, and keys independently', async () => {
    const limiter = new KeyedLimiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      order.push(n);
      return n;
    };
    const other = limiter.run('b', task(100));
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => limiter.run('a', task(n))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(await other).toBe(100);
    expect(peak).toBe(3); // two of "a" and the one of "b"
    expect(order.filter((n) => n < 100)).toEqual([1, 2, 3, 4, 5]);
    expect(limiter.active('a')).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('a', async () => 'ok')).resolves.toBe('ok');
  });
});
