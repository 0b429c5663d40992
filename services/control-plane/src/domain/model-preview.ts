import type { Logger } from '@manifold/logger';
import { createEngine, ModelRunError, type RowValue, type WarehouseEngine } from '@manifold/warehouse';
import { ControlPlaneError } from './errors';
import type { DestinationDoc } from '../store/documents';

/** The most rows a preview shows: what a model editor has room for. */
export const PREVIEW_ROW_LIMIT = 50;

export interface ModelPreview {
  rows: Array<Record<string, RowValue>>;
  rowCount: number;
}

/**
 * Runs a model's query (saved or a draft) in a warehouse for the model editor: the first rows and
 * the row count, through the warehouse engine the loaders run models with, so what the preview
 * shows is what a run reads. The engine is opened for the one preview and closed after it.
 */
export class ModelPreviewer {
  constructor(
    private readonly openSettings: (doc: DestinationDoc) => Record<string, unknown>,
    private readonly logger: Logger,
  ) {}

  async preview(warehouse: DestinationDoc, sql: string, limit: number): Promise<ModelPreview> {
    if (!sql.trim()) throw ControlPlaneError.invalid([{ field: 'sql', message: 'is required' }]);
    const rows = limit > 0 ? Math.min(limit, PREVIEW_ROW_LIMIT) : PREVIEW_ROW_LIMIT;
    let engine: WarehouseEngine;
    try {
      engine = createEngine(warehouse.catalogId, this.openSettings(warehouse), this.logger).engine;
    } catch {
      // The settings' problems are the warehouse page's to show; their text could quote a secret.
      throw ControlPlaneError.failedPrecondition(`the settings of the warehouse ${warehouse.name} are not valid`);
    }
    try {
      return await engine.models.preview(sql, rows);
    } catch (error) {
      // The engine's message has the warehouse's credentials masked already (createEngine).
      if (error instanceof ModelRunError) throw ControlPlaneError.failedPrecondition(error.message);
      throw ControlPlaneError.failedPrecondition(
        `the warehouse ${warehouse.name} could not run the query: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await engine.close();
    }
  }
}
