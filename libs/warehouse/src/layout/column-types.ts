// The warehouse column types (libs/warehouse/README.md#layout) and how a JSON value maps onto them.

export const COLUMN_TYPES = ['string', 'integer', 'float', 'boolean', 'timestamp', 'json'] as const;
/**
 * `json` is only ever the type of the overflow column the plan creates (jsonb on PostgreSQL, JSON
 * on DuckDB); no value is typed json, and the engines read such a column back as `string`.
 */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A cell as the layout produces it: JSON scalars; timestamps are ISO-8601 strings. */
export type CellValue = string | number | boolean;

// A date and a time, optionally seconds, fraction and zone: what the libraries and ingestion
// stamp. A bare date stays a string, since "2026-01-02" is as often a label as a moment. Checked
// by hand (no regex, no Date) because every timestamp cell of every load goes through here, and
// the ranges matter: a "2026-02-30" PostgreSQL refuses would fail the whole load.
export function isTimestampString(value: string): boolean {
  if (value === lastTimestamp) return true;
  const n = value.length;
  if (n < 16 || n > 40) return false;
  if (!digits(value, 0, 4) || value[4] !== '-' || !digits(value, 5, 2) || value[7] !== '-' || !digits(value, 8, 2)) {
    return false;
  }
  const sep = value[10];
  if ((sep !== 'T' && sep !== ' ') || !digits(value, 11, 2) || value[13] !== ':' || !digits(value, 14, 2)) return false;
  const year = num(value, 0, 4);
  const month = num(value, 5, 2);
  const day = num(value, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (num(value, 11, 2) > 23 || num(value, 14, 2) > 59) return false;
  let i = 16;
  if (value[i] === ':') {
    // A leap second (:60) is refused by DuckDB, and would cost the whole event there.
    if (!digits(value, i + 1, 2) || num(value, i + 1, 2) > 59) return false;
    i += 3;
    if (value[i] === '.') {
      const start = ++i;
      while (i < n && isDigit(value.charCodeAt(i))) i++;
      if (i === start || i - start > 9) return false;
    }
  }
  if (i === n) return ((lastTimestamp = value), true);
  if (value[i] === 'Z') return i + 1 === n && ((lastTimestamp = value), true);
  if (value[i] !== '+' && value[i] !== '-') return false;
  if (!validZone(value.slice(i + 1))) return false;
  lastTimestamp = value;
  return true;
}

// PostgreSQL refuses offsets beyond ±15:59 (and any warehouse refuses minutes beyond 59).
function validZone(zone: string): boolean {
  if (!/^\d{2}(:?\d{2})?$/.test(zone)) return false;
  const minutes = zone.length > 2 ? num(zone, zone.length - 2, 2) : 0;
  return num(zone, 0, 2) <= 15 && minutes <= 59;
}

// Many rows share one value (uuid_ts, a batch's received_at): it is checked once.
let lastTimestamp = '';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digits(value: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

function num(value: string, from: number, count: number): number {
  let result = 0;
  for (let i = from; i < from + count; i++) result = result * 10 + (value.charCodeAt(i) - 48);
  return result;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The type a value would give a new column. Integers beyond 2^53 are floats: JSON lost their precision already. */
export function typeOfValue(value: CellValue): ColumnType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'float';
  return isTimestampString(value) ? 'timestamp' : 'string';
}

/** Whether a value can go into a column of this type as it is (the plan casts or drops the others). */
export function fitsType(value: CellValue, type: ColumnType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'float':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'string' && isTimestampString(value);
    case 'json':
      return typeof value === 'string';
  }
}

export type Coercion = { ok: true; value: CellValue; cast: boolean } | { ok: false };

// A date followed by a time, and a text that ends with a zone (Z, an offset, a name like UTC).
const TIMED = /^\d{4}-\d{2}-\d{2}[T ]\d/;
const ZONED = /(?:Z|[+-]\d{1,2}(?::?\d{2})?|[a-z]{3,})$/i;

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * Fits a value into a column whose type was fixed earlier. A value that converts without
 * ambiguity is cast (and reported); one that does not is dropped (and reported), never failing
 * the load, as Segment's loader does.
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
        // A date and time naming no zone is UTC, as every Spec timestamp is (Date.parse would
        // read it in the loader host's zone).
        const text = value.trim();
        const ms = Date.parse(TIMED.test(text) && !ZONED.test(text) ? `${text}Z` : text);
        if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}/.test(text)) {
          // Years 1 to 9999 only: PostgreSQL refuses year 0, and the rest is no real moment.
          const iso = new Date(ms).toISOString();
          return isTimestampString(iso) ? { ok: true, value: iso, cast: true } : { ok: false };
        }
      }
      return { ok: false };
    case 'json':
      // Only the overflow column is json, and the plan writes it itself.
      return { ok: false };
  }
}
