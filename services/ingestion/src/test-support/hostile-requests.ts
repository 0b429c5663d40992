import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DISABLED_WRITE_KEY, SOURCE_ID, WRITE_KEY } from './harness';

/** One HTTP request as the fuzz test sends it; `kind` says what it was built to try. */
export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export const FUZZ_ADMIN_TOKEN = 'fuzz-console-token-0123456789abcdef';

// Every arbitrary below produces JSON *text*, not values: text can be deeper than JSON.stringify
// can write, repeat a key, hold `__proto__` as a plain key and numbers no double holds.
const text = (value: unknown): string => JSON.stringify(value);

const deepText = fc
  .tuple(fc.constantFrom(2, 99, 100, 101, 1000, 5000, 60000), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}${open === '[' ? '' : '1'}${(open === '[' ? ']' : '}').repeat(depth)}`);

const oddStrings = fc.constantFrom(
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\u2028\u2029',
  '\ufeff',
  '\u202e\u0301\u200d',
  '💥'.repeat(3),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  ' ',
  'null',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  "'; DROP TABLE events; --",
);

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 4, arbitrary: oddStrings },
  { weight: 1, arbitrary: fc.constantFrom(1024, 20000, 33 * 1024, 120 * 1024).map((n) => 'x'.repeat(n)) },
);

const edgeTimestamps = fc.constantFrom(
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '0000-12-31T23:59:59.999Z',
  '+010000-01-01T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01',
  '1970-01-01T00:00:00Z',
  'NaN',
  '',
  '0',
  'now',
  '2026-01-01T00:00:00+25:00',
);

const timestampText = fc.oneof(
  edgeTimestamps.map(text),
  fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((d) => text(d.toISOString())),
  fc.constantFrom('0', '-1', '1e300', '8640000000000001', 'null', '[]', '{}', 'true'),
);

const scalarText = fc.oneof(
  hostileString.map(text),
  fc.double().map(text),
  fc.integer().map(String),
  fc.constantFrom('1e400', '-1e400', '-0', '1e-400', '123456789012345678901234567890', 'true', 'false', 'null'),
);

const keyText = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 2, arbitrary: oddStrings },
    { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'writeKey', 'type', 'userId') },
    { weight: 1, arbitrary: fc.constant('k'.repeat(5000)) },
  )
  .map(text);

const { value: valueText, object: objectText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'json' },
    { weight: 5, arbitrary: scalarText },
    { weight: 2, arbitrary: tie('array') },
    { weight: 3, arbitrary: tie('object') },
    { weight: 1, arbitrary: deepText },
  ),
  array: fc.array(tie('value'), { maxLength: 6, depthIdentifier: 'json' }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(keyText, tie('value')), { maxLength: 6, depthIdentifier: 'json' })
    .map((entries) => `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`),
}));

const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;

const writeKeyText = fc.oneof(
  fc.constantFrom(WRITE_KEY, DISABLED_WRITE_KEY, 'nope', '', ` ${WRITE_KEY}`, WRITE_KEY.toUpperCase()).map(text),
  valueText,
);

/** A field of a call: absent, a plausible value, or anything at all. */
function field(name: string, plausible: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 5, arbitrary: plausible },
      { weight: 2, arbitrary: valueText },
    )
    .map((value) => (value === undefined ? undefined : `${text(name)}:${value}`));
}

const idText = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }).map(text), fc.constantFrom('""', 'null', '0'));

const callText = fc
  .tuple(
    field('type', fc.constantFrom(...CALL_TYPES, 'bogus', 'Track', '').map(text)),
    field('userId', idText),
    field('anonymousId', idText),
    field('event', hostileString.map(text)),
    field('name', hostileString.map(text)),
    field('category', hostileString.map(text)),
    field('groupId', idText),
    field('previousId', idText),
    field('messageId', fc.oneof(fc.uuid().map(text), fc.constant(text('m'.repeat(101))), hostileString.map(text))),
    field('properties', objectText),
    field('traits', objectText),
    field('context', objectText),
    field('integrations', objectText),
    field('timestamp', timestampText),
    field('sentAt', timestampText),
    field('writeKey', writeKeyText),
    // A key again (JSON.parse keeps the last), or a key the Spec does not know.
    fc.option(
      fc.tuple(keyText, valueText).map(([k, v]) => `${k}:${v}`),
      { nil: undefined },
    ),
  )
  .map((parts) => `{${parts.filter((part) => part !== undefined).join(',')}}`);

const FIELDS = [
  'type',
  'userId',
  'anonymousId',
  'event',
  'name',
  'category',
  'groupId',
  'previousId',
  'messageId',
  'properties',
  'traits',
  'context',
  'integrations',
  'timestamp',
  'sentAt',
  'writeKey',
];

/**
 * A call valid for its type but for one or two fields (written last, so they win), so that the
 * hostile value gets past authentication and the Spec checks to everything behind them.
 */
const nearlyValidCallText = fc
  .tuple(
    fc.constantFrom(...CALL_TYPES),
    fc.array(
      fc.tuple(
        fc.constantFrom(...FIELDS),
        fc.oneof(valueText, timestampText, deepText, fc.constantFrom('""', 'null', '{"__proto__":{"x":1}}')),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  )
  .map(
    ([type, overrides]) =>
      `{"type":"${type}","userId":"u-fuzz","anonymousId":"a-fuzz","event":"Fuzzed","groupId":"g","previousId":"p",` +
      `"writeKey":"${WRITE_KEY}","properties":{"a":1},"timestamp":"2026-01-01T00:00:00Z"` +
      overrides.map(([name, value]) => `,${text(name)}:${value}`).join('') +
      '}',
  );

const anyCallText = fc.oneof({ weight: 1, arbitrary: callText }, { weight: 1, arbitrary: nearlyValidCallText });

const batchText = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: anyCallText }, valueText), { maxLength: 8 }) },
      // Many items: at, and one past, the item limit.
      { weight: 1, arbitrary: fc.constantFrom(2500, 2501).map((n) => Array<string>(n).fill('{"type":"page"}')) },
    ),
    field('context', objectText),
    field('integrations', objectText),
    field('sentAt', timestampText),
    field('writeKey', writeKeyText),
  )
  .map(
    ([items, ...envelope]) =>
      `{"batch":[${items.join(',')}]${envelope.map((part) => (part === undefined ? '' : `,${part}`)).join('')}}`,
  );

/** A batch whose shared context is copied into 2,500 items that each come out over 32 KB. */
const amplifiedText = fc.constant(
  `{"context":{"pad":"${'c'.repeat(35000)}"},"batch":[${Array<string>(2500).fill('{"type":"track","userId":"u","event":"A"}').join(',')}]}`,
);

const malformedBody = fc.oneof(
  fc.constantFrom('', ' ', 'null', '[]', '1', '"str"', '{', '{"a":', '{"userId":"u",}', '\u0000', '{"a":1}garbage'),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  callText.chain((call) => fc.nat({ max: Math.max(0, call.length - 1) }).map((cut) => call.slice(0, cut))),
);

/** JSON text as bytes, sometimes with invalid UTF-8 or a byte-order mark put in. */
const bodyBytes = (json: fc.Arbitrary<string>): fc.Arbitrary<Buffer> =>
  fc.tuple(json, fc.constantFrom('utf8', 'utf8', 'utf8', 'invalid-utf8', 'bom', 'latin1')).map(([body, form]) => {
    if (form === 'bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    if (form === 'latin1') return Buffer.from(body, 'latin1');
    if (form === 'invalid-utf8') {
      const quote = body.indexOf('"');
      const bytes = Buffer.from(body);
      return quote === -1
        ? bytes
        : Buffer.concat([
            bytes.subarray(0, quote + 1),
            Buffer.from([0xff, 0xc3, 0xed, 0xa0, 0x80]),
            bytes.subarray(quote + 1),
          ]);
    }
    return Buffer.from(body);
  });

// 10 MB of zeros: about 10 KB compressed.
const GZIP_BOMB = gzipSync(Buffer.alloc(10 * 1024 * 1024));

const encoding = fc.constantFrom('none', 'none', 'none', 'gzip', 'deflate', 'bomb', 'corrupt-gzip', 'br', 'gzip, gzip');

function encode(body: Buffer, how: string): { body: Buffer; headers: Record<string, string> } {
  switch (how) {
    case 'none':
      return { body, headers: {} };
    case 'gzip':
      return { body: gzipSync(body), headers: { 'content-encoding': 'gzip' } };
    case 'deflate':
      return { body: deflateSync(body), headers: { 'content-encoding': 'deflate' } };
    case 'bomb':
      return { body: GZIP_BOMB, headers: { 'content-encoding': 'gzip' } };
    case 'corrupt-gzip':
      return { body: Buffer.concat([gzipSync(body).subarray(0, 12), body]), headers: { 'content-encoding': 'gzip' } };
    default:
      return { body, headers: { 'content-encoding': how } };
  }
}

const basic = (user: string): string => `Basic ${Buffer.from(user).toString('base64')}`;

const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant(basic(`${WRITE_KEY}:`)),
  fc.constantFrom(
    basic(`${WRITE_KEY}:`),
    basic(WRITE_KEY),
    basic(`${DISABLED_WRITE_KEY}:`),
    basic('unknown-key:'),
    basic(':'),
    basic(':password'),
    basic('\u0000\u0000:'),
    basic(`${WRITE_KEY}\u0000:`),
    'Basic',
    'Basic ',
    'Basic !!!not base64!!!',
    `basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    `Bearer ${WRITE_KEY}`,
    `Bearer ${FUZZ_ADMIN_TOKEN}`,
    'Bearer ',
    'Digest username="x"',
    `Basic ${'A'.repeat(8000)}`,
  ),
  fc.string({ maxLength: 40 }).map((s) => `Basic ${s}`),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'garbage',
);

const TRACKING_PATHS = [
  '/v1/identify',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/group',
  '/v1/alias',
  '/v1/i',
  '/v1/t',
  '/v1/p',
  '/v1/s',
  '/v1/g',
  '/v1/a',
  '/v1/m',
  '/v1/track/',
  '/v1/track?writeKey=x',
];
const BATCH_PATHS = ['/v1/batch', '/v1/b', '/v1/import'];

const pathSegment = fc.oneof(
  fc.constantFrom(WRITE_KEY, SOURCE_ID, 'x', '%00', '%ff', '%', '..', '%2e%2e%2f', 'a'.repeat(3000), '__proto__'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);

function withHeaders(
  kind: string,
  method: string,
  path: string,
  auth: string | undefined,
  type: string | undefined,
  body?: Buffer,
  extra: Record<string, string> = {},
): HostileRequest {
  const headers: Record<string, string> = { ...extra };
  if (auth !== undefined) headers['authorization'] = auth;
  if (type !== undefined) headers['content-type'] = type;
  return { kind, method, path, headers, ...(body ? { body } : {}) };
}

/** A POST to one of `paths` with one of `bodies`, encoded, authorized and typed in any way. */
function postRequest(kind: string, paths: string[], bodies: fc.Arbitrary<string>): fc.Arbitrary<HostileRequest> {
  return fc
    .tuple(fc.constantFrom(...paths), bodyBytes(bodies), encoding, authorization, contentType)
    .map(([path, body, how, auth, type]) => {
      const encoded = encode(body, how);
      return withHeaders(`${kind}/${how}`, 'POST', path, auth, type, encoded.body, encoded.headers);
    });
}

const trackingRequest = postRequest(
  'call',
  TRACKING_PATHS,
  fc.oneof({ weight: 6, arbitrary: anyCallText }, { weight: 2, arbitrary: malformedBody }, valueText),
);

const batchRequest = postRequest(
  'batch',
  BATCH_PATHS,
  fc.oneof(
    { weight: 10, arbitrary: batchText },
    { weight: 2, arbitrary: malformedBody },
    { weight: 1, arbitrary: amplifiedText },
  ),
);

const otherRequest = fc.oneof(
  fc
    .tuple(fc.constantFrom(...CALL_TYPES, 'bogus'), callText, fc.boolean(), authorization)
    .map(([type, call, base64, auth]) =>
      withHeaders(
        'pixel',
        'GET',
        `/v1/pixel/${type}?data=${encodeURIComponent(base64 ? Buffer.from(call).toString('base64') : call)}`,
        auth,
        undefined,
      ),
    ),
  pathSegment.map((key) => withHeaders('settings', 'GET', `/v1/projects/${key}/settings`, undefined, undefined)),
  pathSegment.map((key) =>
    withHeaders('bundle', 'HEAD', `/analytics.js/v1/${key}/analytics.min.js`, undefined, undefined),
  ),
  pathSegment.map((chunk) => withHeaders('chunk', 'HEAD', `/analytics-next/bundles/${chunk}`, undefined, undefined)),
  fc
    .tuple(
      pathSegment,
      fc.constantFrom('', '?limit=1', '?limit=-1', '?limit=1e400', '?after=x&limit=%00'),
      authorization,
    )
    .map(([source, query, auth]) =>
      withHeaders('debugger', 'GET', `/debugger/sources/${source}/events${query}`, auth, undefined),
    ),
  fc
    .tuple(
      fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST'),
      fc.constantFrom(...TRACKING_PATHS, ...BATCH_PATHS, '/', '/%', '/%ff', `/${'a'.repeat(6000)}`, '//v1//track'),
      authorization,
    )
    .map(([method, path, auth]) =>
      withHeaders('method', method, path, auth, 'application/json', method === 'POST' ? Buffer.from('{}') : undefined, {
        origin: 'https://evil.example',
        'access-control-request-headers': 'authorization, x-\u00ff',
      }),
    ),
);

/** Every kind of request the fuzz test sends, mostly to the Tracking API. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 6, arbitrary: trackingRequest },
  { weight: 4, arbitrary: batchRequest },
  { weight: 2, arbitrary: otherRequest },
);
