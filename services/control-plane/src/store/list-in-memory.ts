import type { Document, Sort } from 'mongodb';

/**
 * A ListQuery (list-query.ts) applied to rows held in memory rather than stored: what a list that
 * merges a collection with rows made from another one (sources with Reverse ETL models) needs so
 * that its rows are filtered and sorted exactly as MongoDB does the stored ones. Only the
 * operators buildListQuery writes are understood; anything else throws, so a new operator there
 * cannot be silently ignored here.
 */
export function matchesFilter(row: Document, filter: Document): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Document[]).every((part) => matchesFilter(row, part));
    if (key === '$or') return (condition as Document[]).some((part) => matchesFilter(row, part));
    if (key.startsWith('$')) throw new Error(`list filter operator ${key} is not supported in memory`);
    const value = row[key] as unknown;
    // As in MongoDB, a list field matches when one of its elements does.
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some((candidate) => matchesCondition(candidate, condition));
  });
}

function matchesCondition(value: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object' || condition instanceof Date || Array.isArray(condition)) {
    return compareValues(value, condition) === 0;
  }
  return Object.entries(condition as Document).every(([op, operand]) => {
    switch (op) {
      case '$in':
        return (operand as unknown[]).some((o) => compareValues(value, o) === 0);
      case '$gte':
        return comparable(value, operand) && compareValues(value, operand) >= 0;
      case '$lte':
        return comparable(value, operand) && compareValues(value, operand) <= 0;
      case '$lt':
        return comparable(value, operand) && compareValues(value, operand) < 0;
      case '$regex':
        return typeof value === 'string' && new RegExp(operand as string).test(value);
      default:
        throw new Error(`list filter operator ${op} is not supported in memory`);
    }
  });
}

/** Range operators only compare values of one type in MongoDB (a date is never "after" a string). */
function comparable(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b);
}

/** MongoDB's order of types when sorting: null and missing, numbers, strings, booleans, dates. */
function typeRank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 7;
  if (value instanceof Date) return 8;
  throw new Error(`cannot compare a ${typeof value} in memory as MongoDB does`);
}

function compareValues(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // MongoDB compares strings by their bytes (no collation here): UTF-8 order is code point order.
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : codePoints(a) < codePoints(b) ? -1 : 1;
  return 0;
}

/** A string whose JS comparison is code point order (UTF-16 units differ past U+FFFF). */
function codePoints(text: string): string {
  return [...text].map((c) => c.codePointAt(0)!.toString(16).padStart(6, '0')).join('');
}

/** Orders two rows by a ListQuery's sort (fields in order, 1 ascending, -1 descending). */
export function compareBySort(a: Document, b: Document, sort: Sort): number {
  for (const [key, direction] of Object.entries(sort as Record<string, 1 | -1>)) {
    const order = compareValues(a[key], b[key]);
    if (order !== 0) return direction === -1 ? -order : order;
  }
  return 0;
}
