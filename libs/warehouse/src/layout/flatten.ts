import type { CellValue } from './column-types';
import { MAX_IDENTIFIER_LENGTH } from './names';
import { snakeCase } from './snake-case';

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
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === null || value === undefined) continue;
    const part = snakeCase(key);
    if (part === '') {
      sink.unnamed(pathPrefix ? `${pathPrefix}.${key}` : key);
      continue;
    }
    const column = columnPrefix ? `${columnPrefix}_${part}` : part;
    if (typeof value === 'object' && !Array.isArray(value)) {
      walk(value as Record<string, unknown>, column, pathPrefix ? `${pathPrefix}.${key}` : key, options, sink);
      continue;
    }
    const cell = toCell(value, options.maxStringLength);
    if (cell === undefined) continue;
    const name = finalName(column);
    if (!sink.put(name, cell)) sink.refused(name, pathPrefix ? `${pathPrefix}.${key}` : key);
  }
}

function finalName(column: string): string {
  const code = column.charCodeAt(0);
  const named = code >= 48 && code <= 57 ? `_${column}` : column;
  return named.length > MAX_IDENTIFIER_LENGTH ? named.slice(0, MAX_IDENTIFIER_LENGTH) : named;
}

function toCell(value: unknown, maxStringLength: number): CellValue | undefined {
  switch (typeof value) {
    case 'string':
      return stripNul(value).slice(0, maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    case 'object':
      return stripNul(JSON.stringify(value)).slice(0, maxStringLength);
    default:
      return undefined;
  }
}

// PostgreSQL text cannot hold NUL; no warehouse user wants it either.
function stripNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}
