import { Metadata, type ServiceError } from '@grpc/grpc-js';

/** Where the CLI writes; tests capture it. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const text = (v: unknown): string =>
  v instanceof Date
    ? v.toISOString()
    : Array.isArray(v)
      ? v.join(', ')
      : v === undefined || v === null
        ? ''
        : String(v);

/** Prints rows as an aligned table, or as JSON with --json. */
export function printTable(io: Io, rows: Array<Record<string, unknown>>, columns: string[], json?: boolean): void {
  if (json) return io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  if (rows.length === 0) return io.stdout('(none)\n');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  io.stdout(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) io.stdout(`${line(columns.map((c) => text(row[c])))}\n`);
}

/** Prints one record as `key: value` lines, or as JSON with --json. */
export function printRecord(io: Io, record: Record<string, unknown>, json?: boolean): void {
  if (json) return io.stdout(`${JSON.stringify(record, null, 2)}\n`);
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  for (const [key, value] of Object.entries(record)) {
    const shown =
      typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value)
        ? JSON.stringify(value)
        : text(value);
    io.stdout(`${`${key}:`.padEnd(width + 2)}${shown}\n`);
  }
}

/** A gRPC failure as a readable message, including every field the server named. */
export function describeError(error: unknown): string {
  const e = error as Partial<ServiceError>;
  if (typeof e.code !== 'number') return error instanceof Error ? error.message : String(error);
  if (e.code === 14) return `cannot reach the control plane (${e.details ?? 'unavailable'})`;
  const raw = e.metadata instanceof Metadata ? e.metadata.get('x-field-violations')[0] : undefined;
  const violations = raw ? (JSON.parse(String(raw)) as Array<{ field: string; message: string }>) : [];
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
