import { Writable } from 'node:stream';
import { startTelemetry, type Telemetry } from '@manifold/telemetry';
import { createLogger } from './index';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'logger-test' });
  });
  afterAll(() => telemetry.shutdown());

  it('writes the active span’s trace_id and span_id, and none outside a span', async () => {
    const { lines, stream } = capture();
    const logger = createLogger('logger-test', 'info', stream);
    logger.info('before');
    const ids = await telemetry.tracer.startActiveSpan('outer', async (span) => {
      // across an await, as a request handler would
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.child({ component: 'inner' }).info({ n: 1 }, 'inside');
      span.end();
      return span.spanContext();
    });
    logger.info('after');
    await new Promise((resolve) => setImmediate(resolve));

    const [before, inside, after] = lines;
    expect(before).not.toHaveProperty('trace_id');
    expect(inside).toMatchObject({ msg: 'inside', n: 1, component: 'inner', service: 'logger-test' });
    expect(inside?.['trace_id']).toBe(ids.traceId);
    expect(inside?.['span_id']).toBe(ids.spanId);
    expect(after).not.toHaveProperty('trace_id');
  });

  it('still redacts secrets', async () => {
    const { lines, stream } = capture();
    createLogger('logger-test', 'info', stream).info({ writeKey: 'secret-key', req: { password: 'p' } }, 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.stringify(lines[0])).not.toMatch(/secret-key|"p"/);
  });
});
