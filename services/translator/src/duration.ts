const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration such as `200ms`, `5s`, `2m`, `1h` or `7d` (a bare number is milliseconds). */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (expected e.g. 500ms, 5s, 2m, 1h, 7d)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
}

/** The shortest label for a duration: 5000 → "5s", 120000 → "2m", 250 → "250ms". */
export function formatDuration(ms: number): string {
  if (ms >= UNITS['h']! && ms % UNITS['h']! === 0) return `${ms / UNITS['h']!}h`;
  if (ms >= UNITS['m']! && ms % UNITS['m']! === 0) return `${ms / UNITS['m']!}m`;
  if (ms >= UNITS['s']! && ms % UNITS['s']! === 0) return `${ms / UNITS['s']!}s`;
  return `${ms}ms`;
}
