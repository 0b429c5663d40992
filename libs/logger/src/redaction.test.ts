import { Writable } from 'node:stream';
import { SECRET_MASK } from '@manifold/secrets';
import { createLogger, maskedLogger } from './index';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('log redaction', () => {
  it('masks the usual places of credentials with the mask every read and record uses', async () => {
    const { lines, stream } = capture();
    createLogger('redaction-test', 'info', stream).info(
      { writeKey: 'wk-123', req: { password: 'pw-456', headers: { authorization: 'Bearer t-789' } } },
      'x',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(lines[0] ?? '{}') as { writeKey?: string; req?: Record<string, unknown> };
    expect(line.writeKey).toBe(SECRET_MASK);
    expect(line.req).toEqual({ password: SECRET_MASK, headers: { authorization: SECRET_MASK } });
  });

  it('masks every string a masked logger is given, errors and their causes included', async () => {
    const { lines, stream } = capture();
    const logger = maskedLogger(createLogger('redaction-test', 'info', stream).child({ component: 'c' }), (text) =>
      text.replaceAll('hunter2', SECRET_MASK),
    );
    const error = new Error('login hunter2 refused', { cause: new Error('cause: hunter2') });
    logger.warn({ err: error, errors: ['saw hunter2'], rows: 3 }, 'failed');
    await new Promise((resolve) => setImmediate(resolve));
    const line = lines[0] ?? '';
    expect(line).not.toContain('hunter2');
    expect(JSON.parse(line)).toMatchObject({
      component: 'c',
      msg: 'failed',
      rows: 3,
      errors: [`saw ${SECRET_MASK}`],
      err: {
        type: 'Error',
        message: `login ${SECRET_MASK} refused: cause: ${SECRET_MASK}`,
        stack: expect.stringContaining(`login ${SECRET_MASK}`),
      },
    });
  });
});
