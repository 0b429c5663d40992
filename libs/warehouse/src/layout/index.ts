export { COLUMN_TYPES, typeOfValue, coerce, isTimestampString, type ColumnType, type CellValue } from './column-types';
export { identifier, schemaNameForSource, tableNameForEvent, STANDARD_TABLES, MAX_IDENTIFIER_LENGTH } from './names';
export { eventRows, type Row, type EventRows } from './event-rows';
export {
  buildSourceBatch,
  SourceBatchBuilder,
  foldUser,
  type LayoutOptions,
  type SourceBatch,
  type TableData,
} from './source-batch';
export {
  planLoad,
  MAX_COLUMNS,
  type SchemaCatalog,
  type LoadPlan,
  type TablePlan,
  type ColumnSpec,
  type PlanOptions,
  type WarehouseLimits,
} from './load-plan';
export type { RowSizeLimit } from './row-fit';
export { NoticeCounter, type LoadNotice } from './notices';
export { describeLoadNotice } from './describe-notice';
export { isReservedColumn, systemColumns, OVERFLOW_COLUMN } from './system-columns';
export { droppableCells, batchWithoutCells, type CellRef } from './drop-cells';
