import { compileFql, globToRegExp, kebabcase, parseFql, snakecase } from './index';

const event = {
  type: 'track',
  event: 'Order Completed',
  userId: 'u-1',
  anonymousId: null,
  properties: {
    total: 42,
    price: '42',
    email: 'Ann@Example.com',
    tags: ['a', 'b'],
    flag: true,
    'odd key': 'x',
    'dotted.key': 'y',
    emoji: 'é',
  },
  context: { page: { url: 'https://shop.example.com/cart?x=1' } },
};

const cases: [string, boolean][] = [
  ['all', true],
  ['type = "track"', true],
  ["type = 'track'", true],
  ['type = "track" and (event = "Page Viewed" or event = "Order Completed")', true],
  ['type = "track" and event != "Order Completed"', false],
  ['userId != null', true],
  ['anonymousId = null', true],
  ['properties.missing = null', true],
  ['properties.total = 42', true],
  ['properties.total = "42"', false],
  ['properties.price = 42', false],
  ['properties.total > 40 and properties.total <= 42', true],
  ['properties.total < -1', false],
  ['properties.price > 40', false],
  ['properties.total in [1, 42, 3]', true],
  ['event in ["Signed Up", "Logged In"]', false],
  ['!(event = "Order Completed")', false],
  ['!contains(event, "Order")', false],
  ['contains(properties.email, "@Example")', true],
  ['contains(properties.missing, "x")', false],
  ['contains(properties.tags, "b")', true],
  ['length(properties.emoji) = 2', true],
  ['length(properties.missing) = 0', true],
  ['length(properties.tags) = 2', true],
  ['lowercase(properties.email) = "ann@example.com"', true],
  ['uppercase(event) = "ORDER COMPLETED"', true],
  ['snakecase(event) = "order_completed"', true],
  ['kebabcase(event) = "order-completed"', true],
  ['titlecase("hello world") = "Hello World"', true],
  ['typeof(properties.total) = "number"', true],
  ['typeof(properties.tags) = "list"', true],
  ['typeof(properties.missing) = "null"', true],
  ['match(context.page.url, "https://*.example.com/*")', true],
  ['match(context.page.url, "https://shop.example.com")', false],
  ['match(event, "Order [A-Z]omplete?")', true],
  ['match(event, "order*")', false],
  ['bool("true") = true', true],
  ['number(properties.price) = 42', true],
  ['string(properties.total) = "42"', true],
  ['properties.flag', true],
  ['properties.odd\\ key = "x"', true],
  ['properties.dotted\\.key = "y"', true],
];

describe('FQL', () => {
  it.each(cases)('%s → %s', (source, expected) => {
    const compiled = compileFql(source);
    if (!compiled.ok) throw new Error(compiled.error);
    expect(compiled.matches(event)).toBe(expected);
  });

  it.each([
    ['type = ', 'expected a value'],
    ['type = "track', 'unterminated string'],
    ['frobnicate(event)', 'unknown function frobnicate()'],
    ['contains(event)', 'contains() takes 2 argument(s), got 1'],
    ['type = "a" "b"', 'unexpected "b"'],
    ['type # "a"', 'unexpected character "#"'],
  ])('refuses %s', (source, message) => {
    const compiled = compileFql(source);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.error).toContain(message);
  });

  it('parses precedence: and binds tighter than or', () => {
    expect(parseFql('a = 1 or b = 2 and c = 3')).toMatchObject({ kind: 'or', right: { kind: 'and' } });
  });

  it('snake-cases like go-snakecase, as warehouse names are (the vectors are in libs/events)', () => {
    expect(snakecase('inviteYourCustomersAddInvites')).toBe('invite_your_customers_add_invites');
    expect(snakecase('HTMLParser')).toBe('htmlparser');
    expect(kebabcase('Order Completed')).toBe('order-completed');
    // Characters outside ASCII separate words, as in warehouse names (they were once dropped
    // in place here, joining the words around them).
    expect(snakecase('héllo wörld')).toBe('h_llo_w_rld');
    expect(kebabcase('héllo wörld')).toBe('h-llo-w-rld');
  });

  it('globs match whole strings, with escapes and classes', () => {
    expect(globToRegExp('a\\*b').test('a*b')).toBe(true);
    expect(globToRegExp('a\\*b').test('axb')).toBe(false);
    expect(globToRegExp('[!x]?').test('ab')).toBe(true);
    expect(globToRegExp('[!x]?').test('xb')).toBe(false);
  });
});
