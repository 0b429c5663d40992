import { Notices } from '@manifold/destination-kit';
import { cutText, cutToLimit, textLength } from './cut-text';

const THUMBS = '\u{1F44D}'; // 👍: two UTF-16 units, one code point, four UTF-8 bytes
const isLoneSurrogate = (text: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('cutToLimit', () => {
  it('leaves text within the limit as it is, in every unit (exact length included)', () => {
    expect(cutToLimit('abc', 3)).toBe('abc');
    expect(cutToLimit('abc', 4)).toBe('abc');
    expect(cutToLimit(`ab${THUMBS}`, 4)).toBe(`ab${THUMBS}`);
    expect(cutToLimit(`ab${THUMBS}`, 3, 'codePoints')).toBe(`ab${THUMBS}`);
    expect(cutToLimit(`ab${THUMBS}`, 6, 'utf8')).toBe(`ab${THUMBS}`);
    expect(cutToLimit('', 0)).toBe('');
  });

  it('cuts ASCII to exactly the limit', () => {
    expect(cutToLimit('abcdef', 3)).toBe('abc');
    expect(cutToLimit('abcdef', 3, 'codePoints')).toBe('abc');
    expect(cutToLimit('abcdef', 3, 'utf8')).toBe('abc');
    expect(cutToLimit('abcdef', 0)).toBe('');
  });

  it('never splits a surrogate pair: an emoji straddling the limit is left out whole', () => {
    // UTF-16 units: "ab" + 👍 is 4 units; a limit of 3 falls between the emoji's two halves.
    expect(cutToLimit(`ab${THUMBS}cd`, 3)).toBe('ab');
    expect(cutToLimit(`ab${THUMBS}cd`, 4)).toBe(`ab${THUMBS}`);
    expect(cutToLimit(THUMBS.repeat(3), 5)).toBe(THUMBS.repeat(2));
    expect(cutToLimit(THUMBS, 1)).toBe('');
    for (let max = 0; max <= 12; max++) {
      const cut = cutToLimit(`x${THUMBS.repeat(6)}`, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(isLoneSurrogate(cut)).toBe(false);
    }
  });

  it('counts code points when asked: an emoji is one', () => {
    expect(cutToLimit(`ab${THUMBS}cd`, 3, 'codePoints')).toBe(`ab${THUMBS}`);
    expect(cutToLimit(THUMBS.repeat(3), 2, 'codePoints')).toBe(THUMBS.repeat(2));
  });

  it('counts UTF-8 bytes when asked, cutting only between characters', () => {
    // "é" is 2 bytes, 👍 4.
    expect(cutToLimit('aé', 2, 'utf8')).toBe('a');
    expect(cutToLimit(`a${THUMBS}b`, 4, 'utf8')).toBe('a');
    expect(cutToLimit(`a${THUMBS}b`, 5, 'utf8')).toBe(`a${THUMBS}`);
    for (let max = 0; max <= 14; max++) {
      const cut = cutToLimit(`é${THUMBS.repeat(3)}`, max, 'utf8');
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(isLoneSurrogate(cut)).toBe(false);
    }
  });

  it('keeps a lone surrogate the text already had before the limit (it adds none)', () => {
    expect(cutToLimit('a\uD83Db', 2)).toBe('a\uD83D');
  });
});

describe('textLength', () => {
  it('measures in the unit asked', () => {
    expect(textLength(`a${THUMBS}`)).toBe(3);
    expect(textLength(`a${THUMBS}`, 'codePoints')).toBe(2);
    expect(textLength(`a${THUMBS}`, 'utf8')).toBe(5);
  });
});

describe('cutText', () => {
  it('records a notice only when it cut', () => {
    const notices = new Notices();
    expect(cutText('short', 10, 'f', notices)).toBe('short');
    expect(notices.list).toEqual([]);
    expect(cutText(`abcdefghi${THUMBS}`, 10, 'f', notices)).toBe('abcdefghi');
    expect(notices.list).toEqual([{ kind: 'converted', field: 'f', reason: 'cut to 10 characters' }]);
  });

  it('names the unit of byte limits in its notice', () => {
    const notices = new Notices();
    expect(cutText('aé', 2, 'name', notices, 'utf8')).toBe('a');
    expect(notices.list).toEqual([{ kind: 'converted', field: 'name', reason: 'cut to 2 bytes' }]);
  });
});
