import {
  MAX_LISTED_SKIPPED,
  type LoadNotice,
  NoticeCounter,
  type SkippedEvent,
  type SourceLoadResult,
  type WarehouseLoadRecord,
} from '@manifold/warehouse';

/** The fields of a load record that do not depend on how the load went. */
export type LoadRecordBase = Pick<
  WarehouseLoadRecord,
  'loadId' | 'warehouseId' | 'workspaceId' | 'sourceId' | 'schema' | 'startedAt' | 'attempt' | 'offsets'
>;

/**
 * What one chunk of a source's events came to, over every transaction it took: one when the
 * warehouse took it whole, several when it refused some events for good and the chunk was split
 * down to them. Becomes the chunk's single load record.
 */
export class LoadOutcome {
  private readonly results: SourceLoadResult[] = [];
  private readonly skipped: SkippedEvent[] = [];
  /** Notices of the loader's own, beside the plans' (values the warehouse refused). */
  private readonly notices: LoadNotice[] = [];
  private listedValues = 0;
  private loadedEvents = 0;

  loaded(result: SourceLoadResult, events: number): void {
    this.results.push(result);
    this.loadedEvents += events;
  }

  /**
   * A value the warehouse refused, left out of its event. The first MAX_LISTED_SKIPPED are listed
   * each (event and reason); the rest only counted per table and column, so that a record stays a
   * small Kafka message whatever a load meets.
   */
  refusedValue(table: string, column: string, messageId: string, reason: string): void {
    this.notices.push(
      this.listedValues++ < MAX_LISTED_SKIPPED
        ? { kind: 'value_refused', table, column, messageId, reason, count: 1 }
        : { kind: 'value_refused', table, column, count: 1 },
    );
  }

  skip(messageId: string, reason: string): void {
    this.skipped.push({ messageId, reason });
  }

  get skippedCount(): number {
    return this.skipped.length;
  }

  /** Whether any transaction committed or any event was set aside: something to record. */
  get settled(): boolean {
    return this.results.length > 0 || this.skipped.length > 0;
  }

  get rows(): number {
    let rows = 0;
    for (const result of this.results) for (const n of Object.values(result.rowsByTable)) rows += n;
    return rows;
  }

  record(base: LoadRecordBase): WarehouseLoadRecord {
    const rowsByTable: Record<string, number> = {};
    const notices = new NoticeCounter();
    const tablesCreated = new Set<string>();
    const columnsAdded: WarehouseLoadRecord['columnsAdded'] = [];
    for (const { plan, rowsByTable: rows } of this.results) {
      for (const [table, n] of Object.entries(rows)) rowsByTable[table] = (rowsByTable[table] ?? 0) + n;
      notices.addAll(plan.notices);
      for (const table of plan.tables) {
        if (table.create) tablesCreated.add(table.name);
        for (const c of table.addColumns) columnsAdded.push({ table: table.name, column: c.name, type: c.type });
      }
    }
    notices.addAll(this.notices);
    const noticeList = notices.list();
    return {
      ...base,
      status: noticeList.length > 0 || this.skipped.length > 0 ? 'partial' : 'success',
      finishedAt: new Date().toISOString(),
      events: this.loadedEvents + this.skipped.length,
      rowsByTable,
      rows: this.rows,
      tablesCreated: [...tablesCreated],
      columnsAdded,
      notices: noticeList,
      errors: [],
      skipped: this.skipped.slice(0, MAX_LISTED_SKIPPED),
      skippedEvents: this.skipped.length,
    };
  }
}
