import type { InstanceMapping } from '@manifold/destination-kit';

const SCALAR_KEYS = ['name', 'enabled', 'trigger', 'action'] as const;

/**
 * What changed between two states of a destination's mappings, one line each: added, removed,
 * changed (naming the parts: `trigger`, `fields.event`, ...), and "reordered" when mappings kept
 * on both sides changed places (order matters: it is the order they run in).
 */
export function mappingsDiff(before: readonly InstanceMapping[], after: readonly InstanceMapping[]): string[] {
  const lines: string[] = [];
  const old = new Map(before.map((m) => [m.id, m]));
  const now = new Map(after.map((m) => [m.id, m]));
  for (const mapping of after) {
    const previous = old.get(mapping.id);
    if (!previous) {
      lines.push(`added ${mapping.id} (${mapping.name})`);
      continue;
    }
    const parts = changedParts(previous, mapping);
    if (parts.length > 0) lines.push(`changed ${mapping.id}: ${parts.join(', ')}`);
  }
  for (const mapping of before) {
    if (!now.has(mapping.id)) lines.push(`removed ${mapping.id} (${mapping.name})`);
  }
  const keptBefore = before.filter((m) => now.has(m.id)).map((m) => m.id);
  const keptAfter = after.filter((m) => old.has(m.id)).map((m) => m.id);
  if (keptBefore.join('\u0000') !== keptAfter.join('\u0000')) lines.push('reordered');
  return lines;
}

function changedParts(before: InstanceMapping, after: InstanceMapping): string[] {
  const parts: string[] = SCALAR_KEYS.filter((key) => before[key] !== after[key]);
  for (const field of new Set([...Object.keys(before.fields), ...Object.keys(after.fields)])) {
    if (JSON.stringify(before.fields[field]) !== JSON.stringify(after.fields[field])) parts.push(`fields.${field}`);
  }
  return parts;
}
