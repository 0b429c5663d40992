// The warehouse column types (segment-spec.md §4.4) and how a JSON value maps onto them.

export const COLUMN_TYPES = ['string', 'integer', 'float', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A cell as the layout produces it: JSON scalars; timestamps are ISO-8601 strings. */
export type CellValue = string | number | boolean;

// A date and a time, optionally seconds, fraction and zone: what the libraries and ingestion
// stamp. A bare date stays a string, since "2026-01-02" is as often a label as a moment.
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

export function isTimestampString(value: string): boolean {
  return ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
}

/** The type a value would give a new column. Integers beyond 2^53 are floats: JSON lost their precision already. */
export function typeOfValue(value: CellValue): ColumnType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'float';
  return isTimestampString(value) ? 'timestamp' : 'string';
}

export type Coercion = { ok: true; value: CellValue; cast: boolean } | { ok: false };

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Fits a value into a column whose type was fixed earlier. A value that converts without
 * ambiguity is cast (and reported); one that does not is dropped (and reported), never failing
 * the load: segment-spec.md §4.4.
 */
export function coerce(value: CellValue, valueType: ColumnType, columnType: ColumnType): Coercion {
  if (valueType === columnType) return { ok: true, value, cast: false };
  switch (columnType) {
    case 'string':
      // A timestamp-looking string in a text column is just text.
      return { ok: true, value: String(value), cast: typeof value !== 'string' };
    case 'float':
      if (typeof value === 'number') return { ok: true, value, cast: valueType !== 'integer' };
      if (typeof value === 'string' && valueType === 'string' && NUMERIC.test(value)) {
        return { ok: true, value: Number(value), cast: true };
      }
      return { ok: false };
    case 'integer': {
      let n: number | undefined;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string' && valueType === 'string' && NUMERIC.test(value)) n = Number(value);
      if (n === undefined) return { ok: false };
      const truncated = Math.trunc(n);
      return Number.isSafeInteger(truncated) ? { ok: true, value: truncated, cast: true } : { ok: false };
    }
    case 'boolean':
      if (typeof value === 'string') {
        const lower = value.trim().toLowerCase();
        if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true', cast: true };
      }
      return { ok: false };
    case 'timestamp':
      if (typeof value === 'string') {
        const ms = Date.parse(value);
        if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
          return { ok: true, value: new Date(ms).toISOString(), cast: true };
        }
      }
      return { ok: false };
  }
}
