import { DEFAULT_COLUMNS, type TablePage } from '../shared/columns';
import type { ConsoleCollections } from './collections';

/** Which property columns each user shows on each table. */
export class ColumnPreferenceStore {
  constructor(private readonly collections: ConsoleCollections) {}

  async get(email: string, page: TablePage): Promise<string[]> {
    const found = await this.collections.columnPreferences.findOne({ email, page });
    return found ? found.columns : [...DEFAULT_COLUMNS[page]];
  }

  /** Callers validate the choice first (columnChoiceProblem). */
  async set(email: string, page: TablePage, columns: string[]): Promise<void> {
    await this.collections.columnPreferences.updateOne(
      { email, page },
      { $set: { columns, updatedAt: new Date() } },
      { upsert: true },
    );
  }
}
