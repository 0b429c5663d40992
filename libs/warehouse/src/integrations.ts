import type { IntegrationsObject } from '@manifold/events';

/**
 * Whether an event's `integrations` object lets it into a warehouse, as Segment reads it:
 * `All: false` does not block warehouses; `Warehouses: { all: false }` blocks every warehouse,
 * `Warehouses: { warehouseIds: [...] }` only lets the listed ones in; `Warehouses: false` is
 * read as `{ all: false }`. A `null` rule (or any other value that is not a boolean or an
 * object) counts as absent: a sender that writes an unset option as null must not lose the
 * event from every warehouse.
 */
export function warehouseAllowed(integrations: IntegrationsObject | null | undefined, warehouseId: string): boolean {
  const rule: unknown = integrations?.['Warehouses'];
  if (rule === false) return false;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return true;
  const options = rule as Record<string, unknown>;
  const ids = options['warehouseIds'];
  if (Array.isArray(ids)) return ids.includes(warehouseId);
  return options['all'] !== false;
}
