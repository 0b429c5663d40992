// Tokens of FQL, Segment's filter query language (libs/destination-kit/README.md#fql-subset).

export type Token =
  | { kind: 'path'; value: string[]; at: number }
  | { kind: 'ident'; value: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'op'; value: '=' | '!=' | '<' | '<=' | '>' | '>=' | '!'; at: number }
  | { kind: 'punct'; value: '(' | ')' | '[' | ']' | ','; at: number }
  | { kind: 'end'; at: number };

export class FqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} at position ${at}`);
    this.name = 'FqlSyntaxError';
  }
}

const PATH_CHAR = /[A-Za-z0-9_$-]/;

export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const at = i;
    if (char === '"' || char === "'") {
      let value = '';
      i++;
      while (i < source.length && source[i] !== char) {
        if (source[i] === '\\' && i + 1 < source.length) i++;
        value += source[i];
        i++;
      }
      if (i >= source.length) throw new FqlSyntaxError('unterminated string', at);
      i++;
      tokens.push({ kind: 'string', value, at });
      continue;
    }
    const numberMatch = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
    if (numberMatch && (char !== '-' || !endsOperand(tokens))) {
      tokens.push({ kind: 'number', value: Number(numberMatch[0]), at });
      i += numberMatch[0].length;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', value: two, at });
      i += 2;
      continue;
    }
    if (char === '=' || char === '<' || char === '>' || char === '!') {
      // `==` is tolerated as `=`.
      if (two === '==') i++;
      tokens.push({ kind: 'op', value: char, at });
      i++;
      continue;
    }
    if (char === '(' || char === ')' || char === '[' || char === ']' || char === ',') {
      tokens.push({ kind: 'punct', value: char, at });
      i++;
      continue;
    }
    if (PATH_CHAR.test(char) || char === '\\') {
      // A path: segments of [A-Za-z0-9_$-] or backslash-escaped characters, joined by dots.
      const segments: string[] = [];
      let segment = '';
      while (i < source.length) {
        const c = source[i] as string;
        if (c === '\\' && i + 1 < source.length) {
          segment += source[i + 1];
          i += 2;
        } else if (PATH_CHAR.test(c)) {
          segment += c;
          i++;
        } else if (c === '.') {
          segments.push(segment);
          segment = '';
          i++;
        } else break;
      }
      segments.push(segment);
      if (segments.some((s) => s === '')) throw new FqlSyntaxError('empty path segment', at);
      const first = segments[0] as string;
      if (segments.length === 1 && !source.slice(at, i).includes('\\') && /^[A-Za-z_]\w*$/.test(first)) {
        tokens.push({ kind: 'ident', value: first, at });
      } else {
        tokens.push({ kind: 'path', value: segments, at });
      }
      continue;
    }
    throw new FqlSyntaxError(`unexpected character ${JSON.stringify(char)}`, at);
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

/** Whether the previous token ends an operand, so a following `-` cannot start a number. */
function endsOperand(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (!last) return false;
  return (
    last.kind === 'path' ||
    last.kind === 'ident' ||
    last.kind === 'string' ||
    last.kind === 'number' ||
    (last.kind === 'punct' && (last.value === ')' || last.value === ']'))
  );
}
