// Assertions shared by the end-to-end tests of several destination types at once.
import type { Emulator } from '@manifold/emulators';
import { countsUnder } from './harness';

/**
 * Per destination type (instance `dest-<type>`): every one of `total` events delivered except the
 * drops the API cannot take (reason → count), none failed or retried, and no request refused by
 * its emulator.
 */
export function expectOnlyWhatApisCannotTake(
  counts: Record<string, number>,
  emulators: Record<string, Emulator>,
  total: number,
  cannotTake: Record<string, Record<string, number>>,
): void {
  for (const [type, emulator] of Object.entries(emulators)) {
    const instance = `dest-${type}`;
    const drops = cannotTake[type] ?? {};
    const dropped = Object.values(drops).reduce((sum, n) => sum + n, 0);
    expect({ type, delivered: counts[`${instance}|delivered|`] ?? 0 }).toEqual({ type, delivered: total - dropped });
    const failed = Object.keys(counts).filter(
      (k) => k.startsWith(`${instance}|failed|`) || k.startsWith(`${instance}|retried|`),
    );
    expect({ type, failed }).toEqual({ type, failed: [] });
    const filtered = countsUnder(counts, `${instance}|filtered|`);
    expect({ type, filtered }).toEqual({ type, filtered: drops });
    const refused = emulator.requests.filter((r) => r.status < 200 || r.status > 299);
    expect({ type, refused }).toEqual({ type, refused: [] });
  }
}
