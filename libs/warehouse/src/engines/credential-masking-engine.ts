import type { SecretMasker } from '@manifold/secrets';
import type { CellValue, SchemaCatalog, SourceBatch } from '../layout';
import type { LoadOptions, SourceLoadResult, WarehouseEngine } from './engine';
import type { ModelDiffEngine } from '../reverse-etl/model-diff';
import { maskedModelDiff } from '../reverse-etl/masked-model-diff';

/**
 * An engine whose error descriptions are masked with its warehouse's credentials: a driver may
 * quote the connection URL or a part of it (`role "…" does not exist`), and what `describeError`
 * returns goes into load records, logs and readiness reports.
 */
export class CredentialMaskingEngine implements WarehouseEngine {
  readonly models: ModelDiffEngine;

  constructor(
    private readonly engine: WarehouseEngine,
    private readonly masker: SecretMasker,
  ) {
    this.models = maskedModelDiff(engine.models, masker);
  }

  get kind(): string {
    return this.engine.kind;
  }

  ping(): Promise<void> {
    return this.engine.ping();
  }

  load(batch: SourceBatch, options?: LoadOptions): Promise<SourceLoadResult> {
    return this.engine.load(batch, options);
  }

  catalog(schema: string): Promise<SchemaCatalog | undefined> {
    return this.engine.catalog(schema);
  }

  readTable(schema: string, table: string): Promise<Array<Record<string, CellValue | null>>> {
    return this.engine.readTable(schema, table);
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  classifyError(error: unknown): 'data' | 'unavailable' {
    return this.engine.classifyError(error);
  }

  refusedColumn(error: unknown): string | undefined {
    return this.engine.refusedColumn(error);
  }

  describeError(error: unknown): string {
    return this.masker.text(this.engine.describeError(error));
  }
}
