import { isPlainObject } from '@manifold/json';
import { renderLiquid, liquidProblem } from './liquid';
import { MappingError } from './mapping-error';
import { jsonTextContainer } from './json-text';
import { getPath } from './path';

// Segment's mapping-kit directives
// (libs/destination-kit/README.md#mapping-kit-resolvemappingmapping-event), resolved against one
// event. A mapping is JSON mixing raw values with directives: objects with exactly one `@` key.
// `undefined` results drop their key; `null` is kept.

export type JsonPrimitive = string | number | boolean | null;
export type MappingValue = JsonPrimitive | MappingValue[] | { [key: string]: MappingValue };
export type Mapping = Record<string, MappingValue>;

export { MappingError };

export const DIRECTIVES = [
  '@path',
  '@template',
  '@literal',
  '@if',
  '@arrayPath',
  '@case',
  '@replace',
  '@merge',
  '@transform',
  '@flatten',
  '@json',
  '@excludeWhenNull',
  '@liquid',
] as const;
export type DirectiveName = (typeof DIRECTIVES)[number];

/** How a mapping reads its data. */
export interface ResolveOptions {
  /**
   * Paths read into strings that hold a JSON object or array (`getPath`), and `@arrayPath` takes
   * such a string as its list: set for Reverse ETL rows, whose JSON columns arrive as text. Not for
   * ordinary events, whose string properties are strings.
   */
  readJsonText?: boolean;
}

type Resolver = (argument: MappingValue, data: unknown, options: ResolveOptions) => unknown;

const resolvers: Record<DirectiveName, Resolver> = {
  '@path': (argument, data, o) => getPath(data, expectString('@path', argument), o.readJsonText),

  '@template': (argument, data, o) =>
    expectString('@template', argument).replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_match, path: string) =>
      templateText(getPath(data, path, o.readJsonText)),
    ),

  '@literal': (argument) => argument,

  '@if': (argument, data, o) => {
    const options = expectObject('@if', argument);
    let condition: boolean;
    if ('exists' in options) {
      const value = resolveMapping(options['exists'] ?? null, data, o);
      condition = value !== undefined && value !== null;
    } else if ('blank' in options) {
      // As Segment's mapping-kit: `then` when the value is NOT blank; '', 0 and false count as blank.
      const value = resolveMapping(options['blank'] ?? null, data, o);
      condition = !(value === undefined || value === null || value === '' || value === 0 || value === false);
    } else {
      throw new MappingError('@if needs an `exists` or `blank` condition');
    }
    const branch = condition ? options['then'] : options['else'];
    return branch === undefined ? undefined : resolveMapping(branch, data, o);
  },

  '@arrayPath': (argument, data, o) => {
    if (!Array.isArray(argument) || typeof argument[0] !== 'string') {
      throw new MappingError('@arrayPath takes [path, itemShape?]');
    }
    const shape = argument[1];
    let value = getPath(data, argument[0], o.readJsonText);
    // A shape picks keys out of each item: of the list a JSON column's text holds, too.
    if (shape !== undefined && o.readJsonText && typeof value === 'string') value = jsonTextContainer(value) ?? value;
    // As Segment's mapping-kit: only a shape turns a single object into a one-item list.
    if (shape === undefined || value === null || typeof value !== 'object') return value;
    const items: unknown[] = Array.isArray(value) ? value : [value];
    return items.map((item) => resolveMapping(shape, item, o));
  },

  '@case': (argument, data, o) => {
    const options = expectObject('@case', argument);
    const value = resolveMapping(options['value'] ?? null, data, o);
    if (typeof value !== 'string') return value;
    if (options['operator'] === 'lower') return value.toLowerCase();
    if (options['operator'] === 'upper') return value.toUpperCase();
    throw new MappingError('@case operator must be "lower" or "upper"');
  },

  '@replace': (argument, data, o) => {
    const options = expectObject('@replace', argument);
    let value = resolveMapping(options['value'] ?? null, data, o);
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string') return value;
    const global = options['global'] !== false;
    const ignoreCase = options['ignorecase'] === true;
    const pairs: [MappingValue | undefined, MappingValue | undefined][] = [
      [options['pattern'], options['replacement']],
      [options['pattern2'], options['replacement2']],
    ];
    for (const [pattern, replacement] of pairs) {
      if (typeof pattern !== 'string' || pattern === '') continue;
      const regex = new RegExp(escapeRegExp(pattern), `${global ? 'g' : ''}${ignoreCase ? 'i' : ''}`);
      const text = typeof replacement === 'string' ? replacement : '';
      value = (value as string).replace(regex, () => text);
    }
    return value;
  },

  '@merge': (argument, data, o) => {
    const options = expectObject('@merge', argument);
    const objects = options['objects'];
    if (!Array.isArray(objects)) throw new MappingError('@merge needs `objects`: a list');
    const resolved = objects.map((object) => resolveMapping(object, data, o)).filter(isPlainObject);
    const ordered = options['direction'] === 'left' ? resolved.reverse() : resolved;
    return Object.assign({}, ...ordered) as Record<string, unknown>;
  },

  '@transform': (argument, data, o) => {
    const options = expectObject('@transform', argument);
    if (options['apply'] === undefined || options['mapping'] === undefined) {
      throw new MappingError('@transform needs `apply` and `mapping`');
    }
    const first = resolveMapping(options['apply'], data, o);
    return resolveMapping(options['mapping'], first, o);
  },

  '@flatten': (argument, data, o) => {
    const options = expectObject('@flatten', argument);
    const value = resolveMapping(options['value'] ?? null, data, o);
    const separator = typeof options['separator'] === 'string' ? options['separator'] : '.';
    if (!isPlainObject(value) && !Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    flattenInto(out, value, '', separator, options['omitArrays'] === true);
    return out;
  },

  '@json': (argument, data, o) => {
    const options = expectObject('@json', argument);
    const value = resolveMapping(options['value'] ?? null, data, o);
    if (options['mode'] === 'encode') return value === undefined ? undefined : JSON.stringify(value);
    if (options['mode'] === 'decode') {
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    }
    throw new MappingError('@json mode must be "encode" or "decode"');
  },

  '@excludeWhenNull': (argument, data, o) => {
    const value = resolveMapping(argument, data, o);
    return value === null ? undefined : value;
  },

  '@liquid': (argument, data) => renderLiquid(expectString('@liquid', argument), data),
};

/** Resolves a mapping against data (usually the Spec event). Throws MappingError on a malformed mapping. */
export function resolveMapping(mapping: MappingValue, data: unknown, options: ResolveOptions = {}): unknown {
  if (mapping === null || typeof mapping !== 'object') return mapping;
  if (Array.isArray(mapping)) {
    return mapping.map((item) => resolveMapping(item, data, options)).filter((item) => item !== undefined);
  }
  const keys = Object.keys(mapping);
  const directiveKeys = keys.filter((key) => key.startsWith('@'));
  if (directiveKeys.length > 0) {
    if (keys.length !== 1) {
      throw new MappingError(`a directive must be alone in its object, found keys ${keys.join(', ')}`);
    }
    const name = keys[0] as string;
    const resolver = resolvers[name as DirectiveName];
    if (!resolver) throw new MappingError(`unknown directive ${name}`);
    return resolver(mapping[name] as MappingValue, data, options);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = resolveMapping(mapping[key] as MappingValue, data, options);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** One problem in a mapping's structure, at a path such as `$.properties.plan.@case.operator`. */
export interface MappingProblem {
  path: string;
  message: string;
}

/** Every problem in a mapping's structure (not its data), as `path: message` lines. */
export function validateMapping(mapping: MappingValue, at = '$'): string[] {
  return mappingProblems(mapping, at).map((p) => `${p.path}: ${p.message}`);
}

/**
 * Every problem in a mapping's structure (not its data): unknown or misplaced directives, and
 * directive arguments `resolveMapping` would refuse or ignore (a `@case` operator other than
 * lower/upper, a `@replace` pattern that is not text, ...). Each with the path where it is.
 */
export function mappingProblems(mapping: MappingValue, at = '$'): MappingProblem[] {
  if (mapping === null || typeof mapping !== 'object') return [];
  if (Array.isArray(mapping)) return mapping.flatMap((item, i) => mappingProblems(item, `${at}[${i}]`));
  const keys = Object.keys(mapping);
  const directiveKeys = keys.filter((key) => key.startsWith('@'));
  if (directiveKeys.length === 0) {
    return keys.flatMap((key) => mappingProblems(mapping[key] as MappingValue, `${at}.${key}`));
  }
  if (keys.length !== 1) {
    return [{ path: at, message: `a directive must be alone in its object (keys ${keys.join(', ')})` }];
  }
  const name = keys[0] as string;
  if (!(DIRECTIVES as readonly string[]).includes(name)) return [{ path: at, message: `unknown directive ${name}` }];
  if (name === '@literal') return [];
  return directiveProblems(name as DirectiveName, mapping[name] as MappingValue, `${at}.${name}`);
}

/** What each directive needs of its argument (beyond the nested mappings, checked recursively). */
function directiveProblems(name: DirectiveName, argument: MappingValue, at: string): MappingProblem[] {
  const problem = (path: string, message: string): MappingProblem[] => [{ path, message }];
  if (name === '@path' || name === '@template') {
    return typeof argument === 'string' ? [] : problem(at, `${name} takes a string`);
  }
  if (name === '@excludeWhenNull') return mappingProblems(argument, at);
  if (name === '@liquid') {
    if (typeof argument !== 'string') return problem(at, '@liquid takes a string');
    const reason = liquidProblem(argument);
    return reason === undefined ? [] : problem(at, reason);
  }
  if (name === '@arrayPath') {
    if (!Array.isArray(argument) || typeof argument[0] !== 'string' || argument.length > 2) {
      return problem(at, '@arrayPath takes [path, itemShape?]');
    }
    return argument[1] === undefined ? [] : mappingProblems(argument[1], `${at}[1]`);
  }
  if (!isPlainObject(argument)) return problem(at, `${name} takes an object`);
  const options = argument as Record<string, MappingValue>;
  const nested = (key: string): MappingProblem[] =>
    options[key] === undefined ? [] : mappingProblems(options[key], `${at}.${key}`);
  const oneOf = (key: string, allowed: readonly string[], required: boolean): MappingProblem[] => {
    const value = options[key];
    if (value === undefined && !required) return [];
    return typeof value === 'string' && allowed.includes(value)
      ? []
      : problem(`${at}.${key}`, `must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
  };
  const text = (key: string): MappingProblem[] =>
    options[key] === undefined || typeof options[key] === 'string' ? [] : problem(`${at}.${key}`, 'must be text');
  const flag = (key: string): MappingProblem[] =>
    options[key] === undefined || typeof options[key] === 'boolean'
      ? []
      : problem(`${at}.${key}`, 'must be true or false');
  switch (name) {
    case '@if': {
      const conditions = ['exists', 'blank'].filter((key) => key in options);
      if (conditions.length !== 1) return problem(at, '@if needs one condition: `exists` or `blank`');
      return [...nested(conditions[0] as string), ...nested('then'), ...nested('else')];
    }
    case '@case':
      return [...oneOf('operator', ['lower', 'upper'], true), ...nested('value')];
    case '@replace': {
      const pattern = options['pattern'];
      return [
        ...(typeof pattern === 'string' && pattern !== ''
          ? []
          : problem(`${at}.pattern`, 'is required: the text to replace')),
        ...text('replacement'),
        ...text('pattern2'),
        ...text('replacement2'),
        ...flag('global'),
        ...flag('ignorecase'),
        ...nested('value'),
      ];
    }
    case '@merge': {
      const objects = options['objects'];
      if (!Array.isArray(objects)) return problem(`${at}.objects`, 'is required: a list of objects');
      return [...oneOf('direction', ['left', 'right'], false), ...nested('objects')];
    }
    case '@transform':
      return [
        ...(options['apply'] === undefined ? problem(`${at}.apply`, 'is required') : nested('apply')),
        ...(options['mapping'] === undefined ? problem(`${at}.mapping`, 'is required') : nested('mapping')),
      ];
    case '@flatten':
      return [...text('separator'), ...flag('omitArrays'), ...nested('value')];
    case '@json':
      return [...oneOf('mode', ['encode', 'decode'], true), ...nested('value')];
    default:
      return mappingProblems(argument, at);
  }
}

function templateText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function flattenInto(
  out: Record<string, unknown>,
  value: unknown,
  prefix: string,
  separator: string,
  omitArrays: boolean,
): void {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const name = prefix ? `${prefix}${separator}${key}` : key;
    if (isPlainObject(item) || (Array.isArray(item) && !omitArrays))
      flattenInto(out, item, name, separator, omitArrays);
    else out[name] = item;
  }
}

function expectString(directive: string, argument: MappingValue): string {
  if (typeof argument !== 'string') throw new MappingError(`${directive} takes a string`);
  return argument;
}

function expectObject(directive: string, argument: MappingValue): Record<string, MappingValue> {
  if (!isPlainObject(argument)) throw new MappingError(`${directive} takes an object`);
  return argument as Record<string, MappingValue>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
