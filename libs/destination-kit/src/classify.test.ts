import {
  classifyHttpResponse,
  classifyNetworkError,
  outcomesOfRequest,
  outcomesPerEvent,
  retryAfterMs,
} from './classify';
import { combineEventOutcome, combineOutcomes, drop, DropEventError, outcomeOfError } from './outcome';

const response = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers, body });

describe('classifyHttpResponse', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [400, 'dead-letter'],
    [401, 'dead-letter'],
    [403, 'dead-letter'],
    [404, 'dead-letter'],
    [408, 'retry'],
    [410, 'dead-letter'],
    [413, 'dead-letter'],
    [423, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [501, 'dead-letter'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
    [599, 'retry'],
    [302, 'dead-letter'],
  ])('HTTP %i → %s', (status, kind) => {
    expect(classifyHttpResponse(response(status)).kind).toBe(kind);
  });

  it('honours Retry-After in seconds or as a date, and X-RateLimit-Reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(classifyHttpResponse(response(429, { 'retry-after': '7' }), now)).toEqual({
      kind: 'retry',
      reason: 'HTTP 429',
      status: 429,
      retryAfterMs: 7000,
    });
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'x-ratelimit-reset': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(classifyHttpResponse(response(503), now)).not.toHaveProperty('retryAfterMs');
  });

  it('keeps the start of the body in the rejection message', () => {
    const outcome = classifyHttpResponse(response(400, {}, '{"error":"bad"}'));
    expect(outcome).toEqual({
      kind: 'dead-letter',
      reason: 'REJECTED',
      status: 400,
      message: 'HTTP 400: {"error":"bad"}',
    });
  });
});

describe('classifyNetworkError', () => {
  it('retries connection problems and timeouts, dead-letters invalid URLs', () => {
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'retry',
      reason: 'ECONNREFUSED',
    });
    expect(
      classifyNetworkError(
        new Error('fetch failed', { cause: Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) }),
      ),
    ).toEqual({ kind: 'retry', reason: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyNetworkError(Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' })).kind).toBe(
      'dead-letter',
    );
  });
});

describe('outcomes', () => {
  it('maps per-item answers back to the events of a batch', () => {
    const request = { method: 'POST' as const, url: 'http://x', headers: {}, itemEvents: [0, 1, 1, 2] };
    const outcomes = outcomesPerEvent(
      request,
      {
        kind: 'per-item',
        items: [
          { kind: 'delivered', status: 200 },
          { kind: 'delivered', status: 200 },
          { kind: 'dead-letter', reason: 'REJECTED', message: 'bad time', status: 400 },
          { kind: 'retry', reason: 'HTTP 400', retryAfterMs: 10 },
        ],
      },
      3,
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'dead-letter', 'retry']);
    expect(outcomesPerEvent(request, { kind: 'delivered', status: 200 }, 2)).toHaveLength(2);
  });

  it('an answer to a whole request counts for the events that request carries, not for the batch’s others', () => {
    const first = { method: 'POST' as const, url: 'http://x', headers: {}, itemEvents: [0, 2] };
    const second = { method: 'POST' as const, url: 'http://x', headers: {}, itemEvents: [1, 3] };
    const refused = { kind: 'dead-letter' as const, reason: 'REJECTED' as const, message: 'HTTP 400', status: 400 };
    expect([...outcomesOfRequest(first, refused, 4)]).toEqual([
      [0, refused],
      [2, refused],
    ]);
    const perEvent = [first, second].map((request, i) =>
      outcomesPerEvent(request, i === 0 ? refused : { kind: 'delivered', status: 200 }, 4),
    );
    const combined = [0, 1, 2, 3].map((event) => combineOutcomes(perEvent.map((list) => list[event]!)));
    expect(combined.map((o) => o.kind)).toEqual(['dead-letter', 'delivered', 'dead-letter', 'delivered']);
    // A request that names no items carries every event of its batch.
    const plain = { method: 'POST' as const, url: 'http://x', headers: {} };
    expect([...outcomesOfRequest(plain, refused, 2).keys()]).toEqual([0, 1]);
  });

  it('combines: retry beats dead-letter beats delivered, keeping the longest wait', () => {
    expect(
      combineOutcomes([
        { kind: 'delivered', status: 200 },
        { kind: 'retry', reason: 'a', retryAfterMs: 5 },
        { kind: 'dead-letter', reason: 'REJECTED', message: 'x' },
        { kind: 'retry', reason: 'b', retryAfterMs: 9 },
      ]),
    ).toEqual({ kind: 'retry', reason: 'a', retryAfterMs: 9 });
  });

  it("gives an event's outcome: a flow's drop decides unless another request must be retried", () => {
    const dropped = drop('NOTHING_TO_SEND', 'no contact');
    const delivered = { kind: 'delivered', status: 200 } as const;
    const retry = { kind: 'retry', reason: 'HTTP 503', status: 503 } as const;
    expect(combineEventOutcome([delivered], undefined)).toEqual(delivered);
    expect(combineEventOutcome([delivered], dropped)).toEqual(dropped);
    expect(combineEventOutcome([retry, delivered], dropped)).toEqual(retry);
    expect(combineEventOutcome([], dropped)).toEqual(dropped);
    expect(combineEventOutcome([], undefined)).toBeUndefined();
  });

  it('turns thrown errors into outcomes; unknown errors are translation bugs', () => {
    expect(outcomeOfError(new DropEventError('INVALID_PAYLOAD', 'no id'))).toEqual({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
      message: 'no id',
    });
    expect(outcomeOfError(new TypeError('boom'))).toEqual({
      kind: 'dead-letter',
      reason: 'TRANSLATION_ERROR',
      message: 'boom',
    });
  });
});
