// The in-place comparison of two exchanges agrees with their keys: the writer takes an instance's
// previous masked exchange on the one and looks others up by the other.
import type { Exchange } from '../pipeline/task';
import { bodilessExchangeKey, readSameBodiless } from './exchange-key';

const base: Exchange = {
  request: {
    method: 'POST',
    url: 'https://hooks.example.com/in?team=blue',
    headers: { 'content-type': 'application/json', 'x-signature': 'aa11', 'user-agent': 'Manifold' },
    body: '{"n":1}',
  },
  response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
  answeredAt: 1,
  durationMs: 2,
};

/** `base` with some of its parts replaced. */
function variant(
  request: Partial<Exchange['request']> = {},
  response: Partial<NonNullable<Exchange['response']>> | null = {},
  error?: string,
): Exchange {
  return {
    ...base,
    request: { ...base.request, ...request },
    response: response === null ? undefined : { ...base.response!, ...response },
    ...(error !== undefined ? { error } : {}),
  };
}

const long = 'x'.repeat(600);

const cases: Array<[string, Exchange, boolean]> = [
  [
    'another body and another signature (a credential-named header)',
    variant({ body: '{"n":2}', headers: { ...base.request.headers, 'x-signature': 'bb22' } }),
    true,
  ],
  [
    'the same, its answer with other headers (a 2xx: not kept)',
    variant({}, { headers: { 'x-request-id': '7' } }),
    true,
  ],
  [
    'a header without a value (not sent)',
    variant({ headers: { ...base.request.headers, 'x-empty': undefined as unknown as string } }),
    true,
  ],
  ['another URL', variant({ url: 'https://hooks.example.com/in?team=red' }), false],
  ['another method', variant({ method: 'PUT' }), false],
  ['another header value', variant({ headers: { ...base.request.headers, 'content-type': 'text/plain' } }), false],
  ['a header more', variant({ headers: { ...base.request.headers, 'x-team': 'blue' } }), false],
  ['a header less', variant({ headers: { 'content-type': 'application/json', 'x-signature': 'aa11' } }), false],
  ['another status', variant({}, { status: 201 }), false],
  ['another answer', variant({}, { body: '{"ok":false}' }), false],
  ['no answer, an error', variant({}, null, 'ECONNREFUSED'), false],
];

describe('readSameBodiless', () => {
  it.each(cases)('%s: agrees with the keys', (_name, other, same) => {
    expect(bodilessExchangeKey(other, 1) === bodilessExchangeKey(base, 1)).toBe(same);
    expect(readSameBodiless(other, base)).toBe(same);
    expect(readSameBodiless(base, other)).toBe(same);
  });

  it('tells failed answers apart by their headers, and errors by their text', () => {
    const refused = variant({}, { status: 400, headers: { 'x-reason': 'a' } });
    expect(readSameBodiless(refused, variant({}, { status: 400, headers: { 'x-reason': 'a' } }))).toBe(true);
    expect(readSameBodiless(refused, variant({}, { status: 400, headers: { 'x-reason': 'b' } }))).toBe(false);
    const error = variant({}, null, 'ECONNREFUSED');
    expect(readSameBodiless(error, variant({}, null, 'ECONNREFUSED'))).toBe(true);
    expect(readSameBodiless(error, variant({}, null, 'ETIMEDOUT'))).toBe(false);
  });

  it('never matches an answer too long to key', () => {
    const a = variant({}, { body: long });
    expect(bodilessExchangeKey(a, 1)).toBeUndefined();
    expect(readSameBodiless(a, variant({}, { body: long }))).toBe(false);
  });
});
