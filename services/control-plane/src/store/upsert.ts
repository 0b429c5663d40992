import { isDuplicateKeyError } from '@manifold/mongo';
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';

/**
 * An update that creates its document when missing. Two upserts racing (replicas) may both try
 * the insert and one collides on `_id`: the document exists then, and the same update without
 * the insert applies (or, when the filter refuses it, e.g. an offset already counted, does nothing).
 */
export async function upsert<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  update: UpdateFilter<T>,
): Promise<void> {
  try {
    await collection.updateOne(filter, update, { upsert: true });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    await collection.updateOne(filter, update);
  }
}
