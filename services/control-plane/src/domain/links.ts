import type { Store } from '../store/store';

/**
 * Sources and destinations reference each other. Without transactions the destination's
 * sourceIds is the truth, and everything on a source that derives from it (its destination
 * list, names, count, and since when it has had no enabled destination) is recomputed here
 * after each change. Recomputing is idempotent, so a crash between writes is repaired by the
 * next write or by the auto-disable sweep, which calls this too.
 */
export async function refreshSourceLinks(store: Store, sourceIds: readonly string[], now: Date): Promise<void> {
  for (const sourceId of new Set(sourceIds)) {
    const destinations = await store.destinations
      .find({ sourceIds: sourceId }, { projection: { _id: 1, name: 1, enabled: 1 }, sort: { name: 1 } })
      .toArray();
    const hasEnabled = destinations.some((d) => d.enabled);
    const source = await store.sources.findOne({ _id: sourceId }, { projection: { withoutDestinationSince: 1 } });
    if (!source) continue;
    await store.sources.updateOne(
      { _id: sourceId },
      {
        $set: {
          destinationIds: destinations.map((d) => d._id),
          destinationNames: destinations.map((d) => d.name),
          destinationCount: destinations.length,
          // The 14-day clock starts when the last enabled destination goes, and stops (and
          // any warning is forgotten) as soon as one is back.
          withoutDestinationSince: hasEnabled ? null : (source.withoutDestinationSince ?? now),
          ...(hasEnabled ? { autoDisableWarnedAt: null } : {}),
        },
      },
    );
  }
}

/** Recomputes the source names shown on destinations, after a source is renamed or deleted. */
export async function refreshDestinationSourceNames(store: Store, destinationIds: readonly string[]): Promise<void> {
  for (const destinationId of new Set(destinationIds)) {
    const destination = await store.destinations.findOne({ _id: destinationId }, { projection: { sourceIds: 1 } });
    if (!destination) continue;
    const sources = await store.sources
      .find({ _id: { $in: destination.sourceIds } }, { projection: { _id: 1, name: 1 } })
      .toArray();
    const names = new Map(sources.map((s) => [s._id, s.name]));
    const live = destination.sourceIds.filter((id) => names.has(id));
    await store.destinations.updateOne(
      { _id: destinationId },
      {
        $set: {
          sourceIds: live,
          sourceNames: live.map((id) => names.get(id) ?? id).sort(),
          sourceCount: live.length,
        },
      },
    );
  }
}
