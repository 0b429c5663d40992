/**
 * What a warehouse loader says about its schedule, after every load round and whenever it sets
 * its next one: published to the warehouse-status topic (`TOPICS.warehouseStatus`, key: warehouse id) and kept by the control
 * plane for the warehouses list (next sync, "sync now" taken up). The latest record wins.
 */
export interface WarehouseStatusRecord {
  warehouseId: string;
  workspaceId: string;
  /** When this was said (ISO-8601). */
  at: string;
  /** When the loader will load next (ISO-8601). */
  nextSyncAt: string;
  /** Events read and waiting for a load. */
  pendingEvents: number;
  /** The latest "sync now" request the loader acted on (ISO-8601), if any. */
  syncRequestedAt?: string;
}

export function encodeStatusRecord(record: WarehouseStatusRecord): { key: string; value: string } {
  return { key: record.warehouseId, value: JSON.stringify(record) };
}

/** A status record, or undefined when the value is not one. */
export function decodeStatusRecord(value: Buffer | string): WarehouseStatusRecord | undefined {
  try {
    const parsed = JSON.parse(
      typeof value === 'string' ? value : value.toString('utf8'),
    ) as Partial<WarehouseStatusRecord>;
    if (typeof parsed.warehouseId !== 'string' || typeof parsed.nextSyncAt !== 'string') return undefined;
    if (typeof parsed.at !== 'string' || typeof parsed.pendingEvents !== 'number') return undefined;
    return parsed as WarehouseStatusRecord;
  } catch {
    return undefined;
  }
}
