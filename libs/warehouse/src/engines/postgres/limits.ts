import type { CellValue, ColumnType, RowSizeLimit, WarehouseLimits } from '../../layout';

/** Columns a PostgreSQL table can have, dropped ones included (MaxHeapAttributeNumber). */
export const POSTGRES_MAX_COLUMNS = 1600;

/**
 * A row (heap tuple) must fit in one 8 KB page: 8,192 bytes less the page header and one line
 * pointer (MaxHeapTupleSize). A larger row fails with SQLSTATE 54000 "row is too big".
 */
const MAX_ROW_BYTES = 8160;

// A variable-width value (text, jsonb) over 24 bytes is what TOAST compresses or moves out of
// the row while the row is too large; what stays is an 18-byte pointer, or a compressed value of
// at most 24 bytes with a 4-byte header and up to 3 bytes of padding. Values of 24 bytes or less
// stay as they are, with a 1-byte header and no padding. Fixed-width values (bigint, double,
// timestamptz: 8 bytes on an 8-byte boundary; boolean: 1 byte) can never leave the row, which is
// why many numeric properties are what makes a row too big.
const MOVABLE_BYTES = 24;
const LONG_VALUE_BYTES = 27;

function fixedBytes(type: ColumnType): number | undefined {
  switch (type) {
    case 'integer':
    case 'float':
    case 'timestamp':
      return 8;
    case 'boolean':
      return 1;
    case 'string':
    case 'json':
      return undefined;
  }
}

/** UTF-8 bytes of a short string plus its 1-byte header, or LONG_VALUE_BYTES when longer than MOVABLE_BYTES. */
function textBytes(value: string): number {
  if (value.length >= MOVABLE_BYTES) return LONG_VALUE_BYTES;
  let bytes = 1;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
  }
  return bytes <= MOVABLE_BYTES ? bytes : LONG_VALUE_BYTES;
}

/** PostgreSQL's heap tuple, as the plan measures rows (see RowFitter). */
export const POSTGRES_ROW_SIZE: RowSizeLimit = {
  maxBytes: MAX_ROW_BYTES,
  // 23 bytes of tuple header and a null bitmap of one bit per attribute, padded to 8 bytes.
  headerBytes: (attributes) => Math.ceil((23 + Math.ceil(attributes / 8)) / 8) * 8,
  // jsonb's binary form is larger than its text: charged as a long value whatever its length.
  cellBytes: (type: ColumnType, value: CellValue) =>
    fixedBytes(type) ?? (type === 'string' && typeof value === 'string' ? textBytes(value) : LONG_VALUE_BYTES),
  maxCellBytes: (type) => fixedBytes(type) ?? LONG_VALUE_BYTES,
  // Variable-width values are charged their padding in LONG_VALUE_BYTES instead.
  alignment: (type) => (fixedBytes(type) === 8 ? 8 : 1),
};

/** PostgreSQL's limits for one schema, given the dropped columns its tables still count. */
export function postgresLimits(droppedColumns: ReadonlyMap<string, number>): WarehouseLimits {
  return { maxColumns: POSTGRES_MAX_COLUMNS, droppedColumns, rowSize: POSTGRES_ROW_SIZE };
}
