import type { ConfigView, WarehouseConfig } from '@manifold/config-client';
import type { KafkaClient } from '@manifold/kafka';
import type { Logger } from '@manifold/logger';
import { InvalidWarehouseSettingsError } from '@manifold/warehouse';
import type { LoadHistory } from './load-history';
import { WarehouseLoader, type WarehouseLoaderOptions } from './warehouse-loader';

export interface LoaderSupervisorOptions {
  config: ConfigView;
  kafka: KafkaClient;
  history: LoadHistory;
  logger: Logger;
  /** How long to wait before starting a loader again after a start failure other than bad settings. */
  startRetryMs?: number;
  /** Passed to every loader (topic, group prefix, backoff, engine factory). */
  loaderOptions?: Omit<WarehouseLoaderOptions, 'warehouse' | 'config' | 'kafka' | 'history' | 'logger'>;
}

/**
 * Keeps one WarehouseLoader running per enabled warehouse of the configuration: starts loaders
 * for new warehouses, restarts those whose kind, settings or interval changed, and stops those
 * removed or disabled. A warehouse whose settings are invalid is reported and skipped until its
 * configuration changes; the others run regardless.
 */
export class LoaderSupervisor {
  private readonly loaders = new Map<string, { loader: WarehouseLoader; fingerprint: string }>();
  private readonly rejected = new Map<string, string>();
  private reconciling: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LoaderSupervisorOptions) {}

  async start(): Promise<void> {
    this.unsubscribe = this.options.config.onChange(() => void this.reconcile());
    await this.reconcile();
  }

  loader(warehouseId: string): WarehouseLoader | undefined {
    return this.loaders.get(warehouseId)?.loader;
  }

  get running(): string[] {
    return [...this.loaders.keys()];
  }

  /** Brings the running loaders in line with the configuration; calls run one after another. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling
      .then(() => this.apply())
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'applying warehouse configuration failed');
      });
    return this.reconciling;
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconcile();
    }, this.options.startRetryMs ?? 5000);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.stopped = true;
    this.unsubscribe?.();
    await this.reconciling;
    // Every loader is stopped (flushing what it holds) even when one of them fails to.
    const stops = await Promise.allSettled([...this.loaders.values()].map(({ loader }) => loader.stop()));
    this.loaders.clear();
    const failed = stops.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const wanted = new Map(
      this.options.config
        .warehouses()
        .filter((w) => w.enabled)
        .map((w) => [w.id, w]),
    );
    for (const [id, { loader }] of this.loaders) {
      const warehouse = wanted.get(id);
      if (!warehouse || fingerprint(warehouse) !== this.loaders.get(id)?.fingerprint) {
        this.loaders.delete(id);
        // A loader that fails to stop (its consumer or engine failing to close) is let go: thrown
        // from here, it would leave the warehouses after it unchanged until the next change.
        await loader.stop().catch((error: unknown) => {
          this.options.logger.warn({ err: error, warehouseId: id }, 'warehouse loader did not stop cleanly');
        });
      } else {
        loader.requestSync(warehouse.syncRequestedAt);
      }
    }
    for (const [id, warehouse] of wanted) {
      if (this.loaders.has(id)) continue;
      const print = fingerprint(warehouse);
      if (this.rejected.get(id) === print) continue;
      const loader = new WarehouseLoader({
        ...this.options.loaderOptions,
        warehouse,
        config: this.options.config,
        kafka: this.options.kafka,
        history: this.options.history,
        logger: this.options.logger,
      });
      try {
        await loader.start();
        this.loaders.set(id, { loader, fingerprint: print });
        this.rejected.delete(id);
      } catch (error) {
        await loader.stop().catch(() => undefined);
        if (error instanceof InvalidWarehouseSettingsError) {
          this.rejected.set(id, print);
          this.options.logger.error(
            { err: error, warehouseId: id, kind: warehouse.kind },
            'warehouse not loaded: its settings are invalid (fix them in the control plane)',
          );
        } else {
          // Kafka unreachable, or the events topic not created yet by ingestion: try again.
          this.options.logger.warn({ err: error, warehouseId: id }, 'warehouse loader could not start; retrying');
          this.retryLater();
        }
      }
    }
  }
}

function fingerprint(warehouse: WarehouseConfig): string {
  return JSON.stringify([warehouse.kind, warehouse.settings, warehouse.syncIntervalSeconds]);
}
