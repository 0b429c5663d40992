import { createHash } from 'node:crypto';
import type { ConfigSnapshot, ConfigView, SourceConfig, WarehouseConfig } from '@manifold/config-client';

/**
 * The embedded warehouse's id, and so its consumer group: derived from the file, so pointing the
 * loader at a new file loads everything Kafka still has into it rather than resuming.
 */
export function embeddedWarehouseId(path: string): string {
  return `embedded-duckdb-${createHash('sha256').update(path).digest('hex').slice(0, 12)}`;
}

export interface EmbeddedWarehouseOptions {
  /** The DuckDB file every enabled source is loaded into. */
  path: string;
  syncIntervalSeconds: number;
}

/**
 * The configuration plus one built-in DuckDB warehouse connected to every enabled source, so a
 * local run loads into a file with no warehouse set up in the control plane.
 */
export class WithEmbeddedWarehouse implements ConfigView {
  constructor(
    private readonly inner: ConfigView,
    private readonly options: EmbeddedWarehouseOptions,
  ) {}

  get version(): number {
    return this.inner.version;
  }

  private embedded(sources: readonly SourceConfig[]): WarehouseConfig {
    return {
      id: embeddedWarehouseId(this.options.path),
      workspaceId: '',
      name: 'Embedded DuckDB',
      enabled: true,
      kind: 'duckdb',
      settings: { path: this.options.path },
      syncIntervalSeconds: this.options.syncIntervalSeconds,
      sourceIds: sources.filter((s) => s.enabled).map((s) => s.id),
    };
  }

  sourceForWriteKey(writeKey: string): SourceConfig | undefined {
    return this.inner.sourceForWriteKey(writeKey);
  }

  source(sourceId: string): SourceConfig | undefined {
    return this.inner.source(sourceId);
  }

  destinationsForSource(sourceId: string, catalogId?: string): ReturnType<ConfigView['destinationsForSource']> {
    return this.inner.destinationsForSource(sourceId, catalogId);
  }

  destination(destinationId: string): ReturnType<ConfigView['destination']> {
    return this.inner.destination(destinationId);
  }

  warehousesForSource(sourceId: string): WarehouseConfig[] {
    const configured = this.inner.warehousesForSource(sourceId);
    const source = this.inner.source(sourceId);
    return source?.enabled ? [...configured, this.embedded([source])] : configured;
  }

  warehouses(): WarehouseConfig[] {
    return [...this.inner.warehouses(), this.embedded(this.inner.snapshot().sources)];
  }

  snapshot(): ConfigSnapshot {
    const inner = this.inner.snapshot();
    return { ...inner, warehouses: this.warehouses() };
  }

  onChange(listener: (snapshot: ConfigSnapshot) => void): () => void {
    return this.inner.onChange(() => listener(this.snapshot()));
  }
}
