import { snakeCase } from '@manifold/events';
import type { CellValue } from './column-types';
import { MAX_IDENTIFIER_LENGTH } from './names';

export interface FlattenOptions {
  /** Longer strings (arrays' JSON included) are cut to this many characters. */
  maxStringLength: number;
}

/** Receives the leaves of a flattened object. */
export interface FlattenSink {
  /** Takes a column; returns false to refuse it (it is then reported through `refused`). */
  put(column: string, value: CellValue): boolean;
  /** A leaf `put` refused, with the property path as sent, for notices. */
  refused(column: string, path: string): void;
  /** A key with no letters or digits left after snake_casing. */
  unnamed(path: string): void;
}

/**
 * Flattens nested objects into `_`-joined snake_case column names (`address.postalCode` →
 * `address_postal_code`), keeps scalars, stores arrays as JSON text and leaves out nulls (a
 * column exists only once a value was seen). Leaves go straight to the sink: this runs for
 * every property of every event, so it builds no intermediate objects.
 */
export function flatten(
  object: Record<string, unknown>,
  prefix: string,
  options: FlattenOptions,
  sink: FlattenSink,
): void {
  walk(object, prefix, prefix, options, sink);
}

function walk(
  object: Record<string, unknown>,
  columnPrefix: string,
  pathPrefix: string,
  options: FlattenOptions,
  sink: FlattenSink,
): void {
  const names = namesUnder(columnPrefix);
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === null || value === undefined) continue;
    let name = names.get(key);
    if (name === undefined) {
      name = columnName(columnPrefix, key);
      if (++cachedNames > NAME_CACHE_LIMIT) {
        nameCache.clear();
        cachedNames = 0;
      }
      names.set(key, name);
    }
    if (name.column === '') {
      sink.unnamed(pathPrefix ? `${pathPrefix}.${key}` : key);
      continue;
    }
    if (typeof value === 'object' && !Array.isArray(value)) {
      walk(value as Record<string, unknown>, name.column, pathPrefix ? `${pathPrefix}.${key}` : key, options, sink);
      continue;
    }
    const cell = toCell(value, options.maxStringLength);
    if (cell === undefined) continue;
    if (!sink.put(name.final, cell)) sink.refused(name.final, pathPrefix ? `${pathPrefix}.${key}` : key);
  }
}

interface ColumnName {
  /** The joined snake_case name, as a prefix for nested keys; '' when the key has no usable characters. */
  column: string;
  /** The column a leaf goes to: digit-led names prefixed, cut to the identifier limit. */
  final: string;
}

// The same keys under the same prefixes come back in every event: their names are worked out once
// (snake_casing, joining and cutting), and each row then shares the same name strings.
const NAME_CACHE_LIMIT = 10000;
const nameCache = new Map<string, Map<string, ColumnName>>();
let cachedNames = 0;

function namesUnder(columnPrefix: string): Map<string, ColumnName> {
  let names = nameCache.get(columnPrefix);
  if (names === undefined) {
    names = new Map();
    nameCache.set(columnPrefix, names);
  }
  return names;
}

function columnName(columnPrefix: string, key: string): ColumnName {
  const part = snakeCase(key);
  if (part === '') return { column: '', final: '' };
  const column = columnPrefix ? `${columnPrefix}_${part}` : part;
  return { column, final: finalName(column) };
}

function finalName(column: string): string {
  const code = column.charCodeAt(0);
  const named = code >= 48 && code <= 57 ? `_${column}` : column;
  return named.length > MAX_IDENTIFIER_LENGTH ? named.slice(0, MAX_IDENTIFIER_LENGTH) : named;
}

function toCell(value: unknown, maxStringLength: number): CellValue | undefined {
  switch (typeof value) {
    case 'string':
      return cutString(stripNul(value), maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    case 'object':
      return cutString(stripNul(JSON.stringify(value)), maxStringLength);
    default:
      return undefined;
  }
}

/** PostgreSQL text cannot hold NUL (SQLSTATE 22021); no warehouse user wants it either. */
export function stripNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

/**
 * `value` cut to at most `max` UTF-16 units, never between the two halves of a character outside
 * the Basic Multilingual Plane (an emoji): the half left alone is no character, and would reach
 * the warehouse as U+FFFD. Such a character at the limit goes whole.
 */
export function cutString(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
