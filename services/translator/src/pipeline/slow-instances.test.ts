import { NOT_RESPONDING, SlowInstances } from './slow-instances';

describe('SlowInstances', () => {
  it('stops admitting an instance after consecutive timeouts, and admits it again once it answers', () => {
    const slow = new SlowInstances({ threshold: 2 });
    expect(slow.admits('d1')).toBe(true);
    slow.failed('d1', 'UND_ERR_HEADERS_TIMEOUT');
    expect(slow.admits('d1')).toBe(true);
    slow.failed('d1', 'UND_ERR_HEADERS_TIMEOUT');
    expect(slow.admits('d1')).toBe(false);
    expect(slow.admits('d2')).toBe(true);
    slow.answered('d1'); // any answer, even an error status
    expect(slow.admits('d1')).toBe(true);
  });

  it('counts only silence: refused connections and resets answer fast and block nothing', () => {
    const slow = new SlowInstances({ threshold: 1 });
    slow.failed('d1', 'ECONNREFUSED');
    slow.failed('d1', 'ECONNRESET');
    expect(slow.admits('d1')).toBe(true);
    slow.failed('d1', 'UND_ERR_BODY_TIMEOUT');
    expect(slow.admits('d1')).toBe(false);
    expect(NOT_RESPONDING).toBe('DESTINATION_NOT_RESPONDING');
  });
});
