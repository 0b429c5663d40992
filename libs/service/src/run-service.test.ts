import { testLogger } from '@manifold/testing';
import { runService } from './index';

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('runService', () => {
  it('serves health and readiness, and runs shutdown hooks in reverse order', async () => {
    const order: string[] = [];
    let dependencyUp = false;
    const service = await runService({
      name: 'lifecycle-test',
      logger: testLogger('lifecycle-test'),
      adminPort: 0,
      adminHost: '127.0.0.1',
      handleSignals: false,
      async start(ctx) {
        ctx.readiness.add('dependency', () => {
          if (!dependencyUp) throw new Error('dependency is down');
        });
        ctx.onShutdown('first', () => void order.push('first'));
        ctx.onShutdown('second', async () => {
          await new Promise((r) => setTimeout(r, 20));
          order.push('second');
        });
      },
    });

    expect(await get(service.adminPort, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const notReady = await get(service.adminPort, '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body['checks']).toEqual({ dependency: { ok: false, error: 'dependency is down' } });

    dependencyUp = true;
    expect((await get(service.adminPort, '/readyz')).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${service.adminPort}/metrics`);
    expect(metrics.status).toBe(200);

    await service.shutdown('test');
    expect(order).toEqual(['second', 'first']);
    await expect(fetch(`http://127.0.0.1:${service.adminPort}/healthz`)).rejects.toThrow();
  });

  it('cleans up and rethrows when start fails', async () => {
    const cleaned: string[] = [];
    await expect(
      runService({
        name: 'failing-start',
        logger: testLogger('failing-start'),
        adminPort: 0,
        adminHost: '127.0.0.1',
        handleSignals: false,
        async start(ctx) {
          ctx.onShutdown('partial', () => void cleaned.push('partial'));
          throw new Error('cannot start');
        },
      }),
    ).rejects.toThrow('cannot start');
    expect(cleaned).toEqual(['partial']);
  });
});
