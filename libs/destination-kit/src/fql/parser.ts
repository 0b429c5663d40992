import { FqlSyntaxError, lex, type Token } from './lexer';

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FqlNode =
  | { kind: 'all' }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; path: string[] }
  | { kind: 'call'; name: FqlFunction; args: FqlNode[] }
  | { kind: 'not'; operand: FqlNode }
  | { kind: 'and' | 'or'; left: FqlNode; right: FqlNode }
  | { kind: 'compare'; op: CompareOp; left: FqlNode; right: FqlNode }
  | { kind: 'in'; value: FqlNode; list: FqlNode[] };

export const FQL_FUNCTIONS = {
  contains: 2,
  length: 1,
  lowercase: 1,
  uppercase: 1,
  snakecase: 1,
  kebabcase: 1,
  titlecase: 1,
  typeof: 1,
  match: 2,
  bool: 1,
  string: 1,
  number: 1,
} as const;
export type FqlFunction = keyof typeof FQL_FUNCTIONS;

/** Parses an FQL expression; throws FqlSyntaxError naming the position of the first problem. */
export function parseFql(source: string): FqlNode {
  if (source.trim() === 'all') return { kind: 'all' };
  const parser = new Parser(lex(source));
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  expression(): FqlNode {
    let left = this.conjunction();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw new FqlSyntaxError(`unexpected ${describe(token)}`, token.at);
  }

  private conjunction(): FqlNode {
    let left = this.negation();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): FqlNode {
    const token = this.peek();
    if (token.kind === 'op' && token.value === '!') {
      this.index++;
      return { kind: 'not', operand: this.negation() };
    }
    return this.comparison();
  }

  private comparison(): FqlNode {
    const left = this.operand();
    const token = this.peek();
    if (token.kind === 'op' && token.value !== '!') {
      this.index++;
      return { kind: 'compare', op: token.value, left, right: this.operand() };
    }
    if (this.keyword('in')) {
      this.expectPunct('[');
      const list: FqlNode[] = [];
      if (!this.punct(']')) {
        do list.push(this.operand());
        while (this.punct(','));
        this.expectPunct(']');
      }
      return { kind: 'in', value: left, list };
    }
    return left;
  }

  private operand(): FqlNode {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'path':
        return { kind: 'path', path: token.value };
      case 'punct':
        if (token.value === '(') {
          const inner = this.expression();
          this.expectPunct(')');
          return inner;
        }
        break;
      case 'ident': {
        if (token.value === 'true' || token.value === 'false')
          return { kind: 'literal', value: token.value === 'true' };
        if (token.value === 'null') return { kind: 'literal', value: null };
        if (this.punct('(')) return this.call(token.value, token.at);
        return { kind: 'path', path: [token.value] };
      }
      default:
        break;
    }
    throw new FqlSyntaxError(`expected a value, found ${describe(token)}`, token.at);
  }

  private call(name: string, at: number): FqlNode {
    if (!(name in FQL_FUNCTIONS)) throw new FqlSyntaxError(`unknown function ${name}()`, at);
    const fn = name as FqlFunction;
    const args: FqlNode[] = [];
    if (!this.punct(')')) {
      do args.push(this.expression());
      while (this.punct(','));
      this.expectPunct(')');
    }
    if (args.length !== FQL_FUNCTIONS[fn]) {
      throw new FqlSyntaxError(`${fn}() takes ${FQL_FUNCTIONS[fn]} argument(s), got ${args.length}`, at);
    }
    return { kind: 'call', name: fn, args };
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token.kind === 'ident' && token.value === word) {
      this.index++;
      return true;
    }
    return false;
  }

  private punct(value: string): boolean {
    const token = this.peek();
    if (token.kind === 'punct' && token.value === value) {
      this.index++;
      return true;
    }
    return false;
  }

  private expectPunct(value: string): void {
    const token = this.peek();
    if (!this.punct(value)) throw new FqlSyntaxError(`expected "${value}", found ${describe(token)}`, token.at);
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'end of expression';
  if (token.kind === 'path') return `path ${token.value.join('.')}`;
  return JSON.stringify(token.value);
}
