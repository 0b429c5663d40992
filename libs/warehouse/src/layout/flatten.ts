import type { CellValue } from './column-types';
import { MAX_IDENTIFIER_LENGTH } from './names';
import { snakeCase } from './snake-case';

export interface FlattenOptions {
  /** Longer strings (arrays' JSON included) are cut to this many characters. */
  maxStringLength: number;
}

export interface FlatEntry {
  column: string;
  value: CellValue;
  /** The property path as sent, for notices. */
  path: string;
}

/**
 * Flattens nested objects into `_`-joined snake_case column names (`address.postalCode` →
 * `address_postal_code`), keeps scalars, stores arrays as JSON text and leaves out nulls (a
 * column exists only once a value was seen). Keys with no usable characters are reported
 * through `onUnnamed` instead of becoming columns.
 */
export function flatten(
  object: Record<string, unknown>,
  prefix: string,
  options: FlattenOptions,
  out: FlatEntry[],
  onUnnamed: (path: string) => void,
): FlatEntry[] {
  walk(object, prefix, prefix, options, out, onUnnamed);
  return out;
}

function walk(
  object: Record<string, unknown>,
  columnPrefix: string,
  pathPrefix: string,
  options: FlattenOptions,
  out: FlatEntry[],
  onUnnamed: (path: string) => void,
): void {
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === null || value === undefined) continue;
    const path = pathPrefix ? `${pathPrefix}.${key}` : key;
    const part = snakeCase(key);
    if (part === '') {
      onUnnamed(path);
      continue;
    }
    const column = columnPrefix ? `${columnPrefix}_${part}` : part;
    if (typeof value === 'object' && !Array.isArray(value)) {
      walk(value as Record<string, unknown>, column, path, options, out, onUnnamed);
      continue;
    }
    const cell = toCell(value, options.maxStringLength);
    if (cell === undefined) continue;
    out.push({ column: finalName(column), value: cell, path });
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
