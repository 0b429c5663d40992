import type { ConfigView, DestinationConfig } from '@manifold/config-client';

/**
 * Disabled destination instances per source and type. The config view lists only enabled
 * ones; events for a source whose instance of this type is disabled are still counted (as
 * filtered) against that instance, so the console shows why it received nothing.
 */
export class DisabledInstances {
  private bySourceAndType = new Map<string, DestinationConfig[]>();
  private readonly unsubscribe: () => void;

  constructor(configView: ConfigView) {
    this.rebuild(configView.snapshot().destinations);
    this.unsubscribe = configView.onChange((snapshot) => this.rebuild(snapshot.destinations));
  }

  of(sourceId: string, catalogId: string): readonly DestinationConfig[] {
    return this.bySourceAndType.get(`${sourceId}\u0000${catalogId}`) ?? [];
  }

  close(): void {
    this.unsubscribe();
  }

  private rebuild(destinations: readonly DestinationConfig[]): void {
    const index = new Map<string, DestinationConfig[]>();
    for (const destination of destinations) {
      if (destination.enabled) continue;
      for (const sourceId of destination.sourceIds) {
        const key = `${sourceId}\u0000${destination.catalogId}`;
        const list = index.get(key);
        if (list) list.push(destination);
        else index.set(key, [destination]);
      }
    }
    this.bySourceAndType = index;
  }
}
