import {
  batchWithoutCells,
  droppableCells,
  type CellRef,
  type SourceBatch,
  type WarehouseEngine,
} from '@manifold/warehouse';

/** A value of an event the warehouse refuses for good, with the warehouse's reason (masked). */
export interface RefusedValue extends CellRef {
  reason: string;
}

/** What searching a refused event's values came to. */
export type RefusedValueSearch =
  /** The event loads without these values (each refused on its own). */
  | { found: RefusedValue[] }
  /** It is refused even without every value the layout can spare: set it aside whole, for this. */
  | { refused: unknown }
  /** The warehouse failed otherwise (an outage) during a trial: retry later as it is. */
  | { unavailable: unknown };

/** Thrown out of the narrowing when a trial meets an outage. */
class TrialUnavailable {
  constructor(readonly error: unknown) {}
}

/**
 * Finds which values of a single event's batch the warehouse refuses for good (`error`: its
 * refusal of the whole event), with trial loads that roll back: nothing is committed here.
 *
 * The column the warehouse's error names, if any, is tried first (one trial, usually the end of
 * it); otherwise, or when that column was not the only fault, every droppable value is left out,
 * and if the warehouse then takes the event, the values are put back half by half: a half that
 * loads stays, a half that does not is split again, down to the single values at fault, each
 * with the reason the warehouse gave for it (a few hundred values: a few trials per fault).
 */
export async function findRefusedValues(
  engine: WarehouseEngine,
  batch: SourceBatch,
  error: unknown,
): Promise<RefusedValueSearch> {
  const all = droppableCells(batch);
  const column = engine.refusedColumn(error);
  const hinted = column === undefined ? [] : all.filter((cell) => cell.column === column);
  const trial = async (drop: readonly CellRef[]): Promise<unknown> => {
    try {
      await engine.load(batchWithoutCells(batch, drop), { trial: true });
      return undefined;
    } catch (failure) {
      if (engine.classifyError(failure) !== 'data') throw new TrialUnavailable(failure);
      return failure ?? new Error('refused');
    }
  };
  try {
    let suspects: CellRef[] | undefined;
    let lastRefusal = error;
    for (const candidates of hinted.length > 0 && hinted.length < all.length ? [hinted, all] : [all]) {
      if (candidates.length === 0) continue;
      const failure = await trial(candidates);
      if (failure === undefined) {
        suspects = candidates;
        break;
      }
      lastRefusal = failure;
    }
    if (!suspects) return { refused: lastRefusal };

    // Every suspect left out loads; keeping them all is the load that was refused (`error`).
    const kept = new Set<CellRef>();
    const found: RefusedValue[] = [];
    const narrow = async (group: CellRef[], refusal: unknown): Promise<void> => {
      if (group.length === 1) {
        found.push({ ...(group[0] as CellRef), reason: engine.describeError(refusal) });
        return;
      }
      const middle = Math.ceil(group.length / 2);
      for (const half of [group.slice(0, middle), group.slice(middle)]) {
        const inHalf = new Set(half);
        const failure = await trial((suspects as CellRef[]).filter((cell) => !kept.has(cell) && !inHalf.has(cell)));
        if (failure === undefined) for (const cell of half) kept.add(cell);
        else await narrow(half, failure);
      }
    };
    await narrow(suspects, error);
    return { found };
  } catch (failure) {
    if (failure instanceof TrialUnavailable) return { unavailable: failure.error };
    throw failure;
  }
}
