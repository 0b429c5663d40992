import type { Logger } from '@manifold/logger';
import {
  createEngine,
  ModelRunError,
  PREVIEW_TIMEOUT_MS,
  type ModelPreview,
  type WarehouseEngine,
} from '@manifold/warehouse';
import { ControlPlaneError } from './errors';
import type { DestinationDoc } from '../store/documents';

/** The most rows a preview shows: what a model editor has room for. */
export const PREVIEW_ROW_LIMIT = 50;

export type { ModelPreview };

/**
 * A model's work in its warehouse that the control plane does itself, through the warehouse
 * engine the loaders run models with (so what the preview shows is what a run reads): the
 * editor's preview (saved or draft query) and dropping a deleted model's tables. The engine is
 * opened for the one call and closed after it.
 */
export class ModelWarehouse {
  constructor(
    private readonly openSettings: (doc: DestinationDoc) => Record<string, unknown>,
    private readonly logger: Logger,
    /** How long a preview may run in the warehouse (REVERSE_ETL_PREVIEW_TIMEOUT_SECONDS). */
    private readonly timeoutMs: number = PREVIEW_TIMEOUT_MS,
  ) {}

  async preview(warehouse: DestinationDoc, sql: string, limit: number): Promise<ModelPreview> {
    if (!sql.trim()) throw ControlPlaneError.invalid([{ field: 'sql', message: 'is required' }]);
    const rows = limit > 0 ? Math.min(limit, PREVIEW_ROW_LIMIT) : PREVIEW_ROW_LIMIT;
    return this.withEngine(warehouse, 'run the query', (engine) =>
      engine.models.preview(sql, rows, { timeoutMs: this.timeoutMs }),
    );
  }

  /** Drops the model's snapshot, staged result and changes (the next model of that id starts afresh). */
  dropTables(warehouse: DestinationDoc, modelId: string): Promise<void> {
    return this.withEngine(warehouse, "drop the model's tables", (engine) => engine.models.reset(modelId));
  }

  private async withEngine<T>(
    warehouse: DestinationDoc,
    what: string,
    work: (engine: WarehouseEngine) => Promise<T>,
  ): Promise<T> {
    let engine: WarehouseEngine;
    try {
      engine = createEngine(warehouse.catalogId, this.openSettings(warehouse), this.logger).engine;
    } catch {
      // The settings' problems are the warehouse page's to show; their text could quote a secret.
      throw ControlPlaneError.failedPrecondition(`the settings of the warehouse ${warehouse.name} are not valid`);
    }
    try {
      return await work(engine);
    } catch (error) {
      // Both texts have the warehouse's credentials masked (createEngine's masking engine).
      if (error instanceof ModelRunError) throw ControlPlaneError.failedPrecondition(error.message);
      throw ControlPlaneError.failedPrecondition(
        `the warehouse ${warehouse.name} could not ${what}: ${engine.describeError(error)}`,
      );
    } finally {
      await engine.close();
    }
  }
}
