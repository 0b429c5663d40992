import { isPlainObject } from '@manifold/json';
import { getPath } from './path';

// Segment's mapping-kit directives
// (libs/destination-kit/README.md#mapping-kit-resolvemappingmapping-event), resolved against one
// event. A mapping is JSON mixing raw values with directives: objects with exactly one `@` key.
// `undefined` results drop their key; `null` is kept.

export type JsonPrimitive = string | number | boolean | null;
export type MappingValue = JsonPrimitive | MappingValue[] | { [key: string]: MappingValue };
export type Mapping = Record<string, MappingValue>;

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

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
] as const;
export type DirectiveName = (typeof DIRECTIVES)[number];

type Resolver = (argument: MappingValue, data: unknown) => unknown;

const resolvers: Record<DirectiveName, Resolver> = {
  '@path': (argument, data) => getPath(data, expectString('@path', argument)),

  '@template': (argument, data) =>
    expectString('@template', argument).replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_match, path: string) =>
      templateText(getPath(data, path)),
    ),

  '@literal': (argument) => argument,

  '@if': (argument, data) => {
    const options = expectObject('@if', argument);
    let condition: boolean;
    if ('exists' in options) {
      const value = resolveMapping(options['exists'] ?? null, data);
      condition = value !== undefined && value !== null;
    } else if ('blank' in options) {
      // As Segment's mapping-kit: `then` when the value is NOT blank; '', 0 and false count as blank.
      const value = resolveMapping(options['blank'] ?? null, data);
      condition = !(value === undefined || value === null || value === '' || value === 0 || value === false);
    } else {
      throw new MappingError('@if needs an `exists` or `blank` condition');
    }
    const branch = condition ? options['then'] : options['else'];
    return branch === undefined ? undefined : resolveMapping(branch, data);
  },

  '@arrayPath': (argument, data) => {
    if (!Array.isArray(argument) || typeof argument[0] !== 'string') {
      throw new MappingError('@arrayPath takes [path, itemShape?]');
    }
    const value = getPath(data, argument[0]);
    const shape = argument[1];
    // As Segment's mapping-kit: only a shape turns a single object into a one-item list.
    if (shape === undefined || value === null || typeof value !== 'object') return value;
    const items: unknown[] = Array.isArray(value) ? value : [value];
    return items.map((item) => resolveMapping(shape, item));
  },

  '@case': (argument, data) => {
    const options = expectObject('@case', argument);
    const value = resolveMapping(options['value'] ?? null, data);
    if (typeof value !== 'string') return value;
    if (options['operator'] === 'lower') return value.toLowerCase();
    if (options['operator'] === 'upper') return value.toUpperCase();
    throw new MappingError('@case operator must be "lower" or "upper"');
  },

  '@replace': (argument, data) => {
    const options = expectObject('@replace', argument);
    let value = resolveMapping(options['value'] ?? null, data);
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

  '@merge': (argument, data) => {
    const options = expectObject('@merge', argument);
    const objects = options['objects'];
    if (!Array.isArray(objects)) throw new MappingError('@merge needs `objects`: a list');
    const resolved = objects.map((o) => resolveMapping(o, data)).filter(isPlainObject);
    const ordered = options['direction'] === 'left' ? resolved.reverse() : resolved;
    return Object.assign({}, ...ordered) as Record<string, unknown>;
  },

  '@transform': (argument, data) => {
    const options = expectObject('@transform', argument);
    if (options['apply'] === undefined || options['mapping'] === undefined) {
      throw new MappingError('@transform needs `apply` and `mapping`');
    }
    const first = resolveMapping(options['apply'], data);
    return resolveMapping(options['mapping'], first);
  },

  '@flatten': (argument, data) => {
    const options = expectObject('@flatten', argument);
    const value = resolveMapping(options['value'] ?? null, data);
    const separator = typeof options['separator'] === 'string' ? options['separator'] : '.';
    if (!isPlainObject(value) && !Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    flattenInto(out, value, '', separator, options['omitArrays'] === true);
    return out;
  },

  '@json': (argument, data) => {
    const options = expectObject('@json', argument);
    const value = resolveMapping(options['value'] ?? null, data);
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

  '@excludeWhenNull': (argument, data) => {
    const value = resolveMapping(argument, data);
    return value === null ? undefined : value;
  },
};

/** Resolves a mapping against data (usually the Spec event). Throws MappingError on a malformed mapping. */
export function resolveMapping(mapping: MappingValue, data: unknown): unknown {
  if (mapping === null || typeof mapping !== 'object') return mapping;
  if (Array.isArray(mapping)) {
    return mapping.map((item) => resolveMapping(item, data)).filter((item) => item !== undefined);
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
    return resolver(mapping[name] as MappingValue, data);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = resolveMapping(mapping[key] as MappingValue, data);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Every problem in a mapping's structure (not its data): unknown or misplaced directives. */
export function validateMapping(mapping: MappingValue, at = '$'): string[] {
  if (mapping === null || typeof mapping !== 'object') return [];
  if (Array.isArray(mapping)) return mapping.flatMap((item, i) => validateMapping(item, `${at}[${i}]`));
  const keys = Object.keys(mapping);
  const directiveKeys = keys.filter((key) => key.startsWith('@'));
  if (directiveKeys.length === 0) {
    return keys.flatMap((key) => validateMapping(mapping[key] as MappingValue, `${at}.${key}`));
  }
  if (keys.length !== 1) return [`${at}: a directive must be alone in its object (keys ${keys.join(', ')})`];
  const name = keys[0] as string;
  if (!(DIRECTIVES as readonly string[]).includes(name)) return [`${at}: unknown directive ${name}`];
  const argument = mapping[name] as MappingValue;
  if (name === '@literal') return [];
  if ((name === '@path' || name === '@template') && typeof argument !== 'string') {
    return [`${at}: ${name} takes a string`];
  }
  return validateMapping(argument, `${at}.${name}`);
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
