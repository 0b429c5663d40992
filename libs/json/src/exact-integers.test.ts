import { exactJsonText, parseJsonExact } from './exact-integers';

describe('parseJsonExact', () => {
  it('keeps an integer a double cannot hold as its digits, wherever it is', () => {
    const parsed = parseJsonExact(
      '{"id":1234567890123456789,"list":[9007199254740993,-98765432109876543210],"deep":{"n":{"m":18446744073709551615}}}',
    );
    expect(parsed).toEqual({
      id: '1234567890123456789',
      list: ['9007199254740993', '-98765432109876543210'],
      deep: { n: { m: '18446744073709551615' } },
    });
    // JSON.parse would have changed them.
    expect(JSON.parse('1234567890123456789')).toBe(1234567890123456800);
  });

  it('leaves every other value as JSON.parse gives it', () => {
    const text =
      '{"safe":9007199254740991,"exact":9007199254740992,"negative":-9007199254740991,"decimal":12345678901234567.5,' +
      '"exponent":1e21,"small":0.1,"string":"12345678901234567890","zero":0,"t":true,"nothing":null,"list":[1,"a"]}';
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
    // 2^53 is a double exactly, so it stays a number; decimals and exponents are doubles by JSON's custom.
    expect(parseJsonExact('9007199254740992')).toBe(9007199254740992);
    expect(parseJsonExact('[12345678901234567.5, 1.2345678901234567e+30]')).toEqual([
      12345678901234568, 1.2345678901234567e30,
    ]);
  });

  it('writes such integers as strings in JSON text, and leaves text that cannot hold one as it is', () => {
    expect(exactJsonText('{"id":1234567890123456789,"price":1.50}')).toBe('{"id":"1234567890123456789","price":1.5}');
    // Not parsed nor written again: its 1.50 stays.
    const safe = '{"id":123456789012345,"price":1.50}';
    expect(exactJsonText(safe)).toBe(safe);
  });

  it('fails on text that is not JSON, as JSON.parse does', () => {
    expect(() => parseJsonExact('{"id": 12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJsonExact('{oops}')).toThrow(SyntaxError);
  });
});
