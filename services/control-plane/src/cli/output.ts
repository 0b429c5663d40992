import type { ServiceError } from '@grpc/grpc-js';
import { fieldViolations } from '@manifold/proto';

/** Where the CLI writes; tests capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A typed value as a table cell or a `key: value` line. */
const text = (v: unknown): string =>
  v instanceof Date
    ? v.toISOString()
    : Array.isArray(v)
      ? v.map(text).join(', ')
      : v === undefined || v === null
        ? ''
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);

/** A column of a table: a field of the row, or a cell worked out from the row. */
export type Column<R> = (keyof R & string) | { name: string; cell: (row: R) => unknown };

/**
 * Prints rows as an aligned table, or with --json as the rows themselves: numbers, booleans,
 * nested objects and lists as they are, dates as ISO strings, absent values as null.
 */
export function printTable<R extends object>(
  io: Io,
  rows: readonly R[],
  columns: ReadonlyArray<Column<R>>,
  json?: boolean,
): void {
  if (json) return io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) return io.stdout('(none)\n');
  const name = (c: Column<R>) => (typeof c === 'string' ? c : c.name);
  const cell = (c: Column<R>, row: R) =>
    text(typeof c === 'string' ? (row as Record<string, unknown>)[c] : c.cell(row));
  const widths = columns.map((c) => Math.max(name(c).length, ...rows.map((r) => cell(c, r).length)));
  const line = (cells: string[]) =>
    cells
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  io.stdout(`${line(columns.map((c) => name(c).toUpperCase()))}\n`);
  for (const row of rows) io.stdout(`${line(columns.map((c) => cell(c, row)))}\n`);
}

/** Prints one record as `key: value` lines, or with --json as the typed record (see printTable). */
export function printRecord(io: Io, record: object, json?: boolean): void {
  if (json) return io.stdout(`${JSON.stringify(record, null, 2)}\n`);
  const entries = Object.entries(record);
  const width = Math.max(...entries.map(([k]) => k.length));
  for (const [key, value] of entries) io.stdout(`${`${key}:`.padEnd(width + 2)}${text(value)}\n`);
}

/** Reports a change that has no record to show: a sentence, or with --json the given object. */
export function printDone(io: Io, sentence: string, result: object, json?: boolean): void {
  io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : `${sentence}\n`);
}

/** A gRPC failure as a readable message, including every field the server named. */
export function describeError(error: unknown): string {
  const e = error as Partial<ServiceError>;
  if (typeof e.code !== 'number') return error instanceof Error ? error.message : String(error);
  if (e.code === 14) return `cannot reach the control plane (${e.details ?? 'unavailable'})`;
  const violations = fieldViolations(error);
  if (violations.length === 0) return e.details ?? e.message ?? 'request failed';
  return ['invalid input:', ...violations.map((v) => `  ${v.field}: ${v.message}`)].join('\n');
}

/** Parses `key=value` pairs; values that read as JSON (numbers, booleans, objects) are kept typed. */
export function parseAssignments(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    // Not quoted back: a mistyped --set may be a secret without its key.
    if (i <= 0) throw new Error('expected key=value in --set (a setting name, "=", then its value)');
    const raw = pair.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[pair.slice(0, i)] = value;
  }
  return out;
}
