import { isPlainObject } from '@manifold/json';
import { kebabcase, snakecase, titlecase } from './casing';
import { globToRegExp } from './glob';
import { parseFql, type FqlNode } from './parser';

// FQL evaluation against one event. Missing paths read as null; every function is null-safe
// (contains(null, …) is false, length(null) is 0); `=` and `!=` are type-strict.

export function evaluateFql(node: FqlNode, event: unknown): boolean {
  return value(node, event) === true;
}

function value(node: FqlNode, event: unknown): unknown {
  switch (node.kind) {
    case 'all':
      return true;
    case 'literal':
      return node.value;
    case 'path': {
      let current: unknown = event;
      for (const segment of node.path) {
        if (!isPlainObject(current)) return null;
        current = current[segment];
      }
      return current === undefined ? null : current;
    }
    case 'not':
      return value(node.operand, event) !== true;
    case 'and':
      return value(node.left, event) === true && value(node.right, event) === true;
    case 'or':
      return value(node.left, event) === true || value(node.right, event) === true;
    case 'in': {
      const needle = value(node.value, event);
      return node.list.some((item) => strictEqual(needle, value(item, event)));
    }
    case 'compare':
      return compare(node.op, value(node.left, event), value(node.right, event));
    case 'call':
      return call(
        node.name,
        node.args.map((arg) => value(arg, event)),
      );
  }
}

function compare(op: string, left: unknown, right: unknown): boolean {
  if (op === '=') return strictEqual(left, right);
  if (op === '!=') return !strictEqual(left, right);
  const bothNumbers = typeof left === 'number' && typeof right === 'number';
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  if (!bothNumbers && !bothStrings) return false;
  const a = left as number | string;
  const b = right as number | string;
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

function strictEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function call(name: string, args: unknown[]): unknown {
  const [first, second] = args;
  switch (name) {
    case 'contains':
      if (typeof first === 'string' && typeof second === 'string') return first.includes(second);
      if (Array.isArray(first)) return first.some((item) => strictEqual(item, second));
      return false;
    case 'length':
      if (typeof first === 'string') return Buffer.byteLength(first, 'utf8');
      if (Array.isArray(first)) return first.length;
      if (isPlainObject(first)) return Object.keys(first).length;
      return 0;
    case 'lowercase':
      return typeof first === 'string' ? first.toLowerCase() : first;
    case 'uppercase':
      return typeof first === 'string' ? first.toUpperCase() : first;
    case 'snakecase':
      return typeof first === 'string' ? snakecase(first) : first;
    case 'kebabcase':
      return typeof first === 'string' ? kebabcase(first) : first;
    case 'titlecase':
      return typeof first === 'string' ? titlecase(first) : first;
    case 'typeof':
      if (first === null || first === undefined) return 'null';
      if (Array.isArray(first)) return 'list';
      return typeof first;
    case 'match':
      return typeof first === 'string' && typeof second === 'string' && globToRegExp(second).test(first);
    case 'bool':
      if (typeof first === 'boolean') return first;
      if (typeof first === 'number') return first !== 0;
      if (typeof first === 'string') return first.toLowerCase() === 'true' || first === '1';
      return first !== null && first !== undefined;
    case 'string':
      if (first === null || first === undefined) return 'null';
      return typeof first === 'string' ? first : typeof first === 'object' ? JSON.stringify(first) : String(first);
    case 'number': {
      if (typeof first === 'number') return first;
      if (typeof first === 'boolean') return first ? 1 : 0;
      if (typeof first === 'string' && first.trim() !== '' && Number.isFinite(Number(first))) return Number(first);
      return null;
    }
    default:
      throw new Error(`unknown function ${name}`);
  }
}

/** A compiled FQL condition, or the reason it does not compile. */
export type CompiledFql = { ok: true; matches(event: unknown): boolean } | { ok: false; error: string };

const compiled = new Map<string, CompiledFql>();

/**
 * Compiles (and caches) an FQL condition. A condition that fails to compile, or throws while
 * evaluating, matches nothing here; callers decide what that means (filters fail closed).
 */
export function compileFql(source: string): CompiledFql {
  const cached = compiled.get(source);
  if (cached) return cached;
  let result: CompiledFql;
  try {
    const node = parseFql(source);
    result = { ok: true, matches: (event) => evaluateFql(node, event) };
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (compiled.size > 5000) compiled.clear();
  compiled.set(source, result);
  return result;
}
