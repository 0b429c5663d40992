import { z } from 'zod';
import { defineWarehouse, engineSettingsShape } from '../../warehouse-kinds/define-warehouse';
import { DuckdbEngine } from './duckdb-engine';

export const duckdbWarehouse = defineWarehouse({
  id: 'duckdb',
  name: 'DuckDB',
  description: 'Loads events into a DuckDB file on the loader’s disk: the embedded default for local runs.',
  settings: z.strictObject({
    path: z.string().min(1).meta({
      title: 'Database file',
      description: 'Path of the DuckDB file on the loader’s disk; created on first load.',
    }),
    ...engineSettingsShape,
  }),
  open: ({ path }, logger) => new DuckdbEngine({ path, logger }),
});
