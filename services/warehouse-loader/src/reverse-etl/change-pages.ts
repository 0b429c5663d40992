import type { ModelDiffEngine, RowChange } from '@manifold/warehouse';

/**
 * A model's prepared changes after `afterKey`, page by page in key order. The warehouse is read
 * `pagesPerRead` pages at a time (fewer round trips; for DuckDB, fewer openings of its file), and
 * the next read is under way while the caller publishes the pages of the last: at most two reads'
 * rows are held, however many changes the run has. The first read is of one page, so the first
 * send starts after one page's read rather than `pagesPerRead` pages' (it weighs on a short run).
 */
export async function* changePages(
  models: Pick<ModelDiffEngine, 'readChanges'>,
  modelId: string,
  afterKey: string | undefined,
  pageSize: number,
  pagesPerRead: number,
): AsyncGenerator<RowChange[]> {
  const readSize = pageSize * pagesPerRead;
  const read = (after: string | undefined, size: number): Promise<{ rows: RowChange[]; size: number }> => {
    const reading = models.readChanges(modelId, after, size).then((rows) => ({ rows, size }));
    // Read ahead, its failure is only seen when its turn comes: not an unhandled rejection meanwhile.
    reading.catch(() => undefined);
    return reading;
  };
  let next = read(afterKey, pageSize);
  try {
    for (;;) {
      const { rows, size } = await next;
      if (rows.length === 0) return;
      // A short read was the last: no read for an empty one after it.
      next = rows.length < size ? Promise.resolve({ rows: [], size }) : read((rows.at(-1) as RowChange).key, readSize);
      for (let start = 0; start < rows.length; start += pageSize) yield rows.slice(start, start + pageSize);
    }
  } finally {
    // Stopped or failed with a read under way: let it end before the caller closes the engine.
    await next.catch(() => undefined);
  }
}
