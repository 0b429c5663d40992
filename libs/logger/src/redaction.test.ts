import { Writable } from 'node:stream';
import { SECRET_MASK } from '@manifold/secrets';
import { createLogger } from './index';

describe('log redaction', () => {
  it('masks the usual places of credentials with the mask every read and record uses', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    createLogger('redaction-test', 'info', stream).info(
      { writeKey: 'wk-123', req: { password: 'pw-456', headers: { authorization: 'Bearer t-789' } } },
      'x',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0] ?? '{}') as { writeKey?: string; req?: Record<string, unknown> };
    expect(line.writeKey).toBe(SECRET_MASK);
    expect(line.req).toEqual({ password: SECRET_MASK, headers: { authorization: SECRET_MASK } });
  });
});
