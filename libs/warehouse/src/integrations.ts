import type { IntegrationsObject } from '@manifold/events';

/**
 * Whether an event's `integrations` object lets it into a warehouse (segment-spec.md §2.3):
 * `All: false` does not block warehouses; `Warehouses: { all: false }` blocks every warehouse,
 * `Warehouses: { warehouseIds: [...] }` only lets the listed ones in; `Warehouses: false` is
 * read as `{ all: false }`.
 */
export function warehouseAllowed(integrations: IntegrationsObject | undefined, warehouseId: string): boolean {
  const rule = integrations?.['Warehouses'];
  if (rule === undefined || rule === true) return true;
  if (rule === false) return false;
  const ids = rule['warehouseIds'];
  if (Array.isArray(ids)) return ids.includes(warehouseId);
  return rule['all'] !== false;
}
