// The Segment warehouse layout (libs/warehouse/README.md#layout) as pure data, and the engines that load it:
// PostgreSQL (COPY into staging, then merge) and DuckDB (embedded default).
export * from './layout';
export type { WarehouseEngine, SourceLoadResult, LoadOptions } from './engines/engine';
export {
  PostgresEngine,
  type PostgresConnection,
  type PostgresEngineOptions,
} from './engines/postgres/postgres-engine';
export { DuckdbEngine, type DuckdbEngineOptions } from './engines/duckdb/duckdb-engine';
export { createEngine } from './engines/create-engine';
export {
  warehouseCatalog,
  warehouseMasker,
  InvalidWarehouseSettingsError,
  type EngineSettings,
  type WarehouseCatalogEntry,
} from './warehouse-kinds';
export {
  WAREHOUSE_LOADS_TOPIC,
  encodeLoadRecord,
  MAX_LISTED_SKIPPED,
  loadOffsets,
  type LoadOffsets,
  type WarehouseLoadRecord,
  type WarehouseLoadStatus,
  type SkippedEvent,
} from './load-record';
export { encodeStatusRecord, decodeStatusRecord, type WarehouseStatusRecord } from './status-record';
export { warehouseAllowed } from './integrations';
export {
  CHANGE_KINDS,
  ModelRunError,
  PREVIEW_TIMEOUT_MS,
  RETL_SCHEMA,
  modelTables,
  type ChangeKind,
  type ModelDiffEngine,
  type ModelPreview,
  type ModelQuery,
  type ModelRunErrorCode,
  type PreviewOptions,
  type PrepareOptions,
  type PreparedChanges,
  type RowChange,
  type RowValue,
} from './reverse-etl/model-diff';
