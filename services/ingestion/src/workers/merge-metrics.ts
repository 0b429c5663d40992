interface Family {
  /** The `# HELP` and `# TYPE` lines, from the first worker that had the family. */
  header: string[];
  samples: string[];
}

/** A sample line with `worker="<slot>"` as its first label. */
function labelled(line: string, worker: string): string {
  const label = `worker="${worker}"`;
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace >= 0 && (space < 0 || brace < space)) {
    const rest = line.slice(brace + 1);
    return `${line.slice(0, brace)}{${label}${rest.startsWith('}') ? '' : ','}${rest}`;
  }
  return `${line.slice(0, space)}{${label}}${line.slice(space)}`;
}

/**
 * One Prometheus exposition from the workers' own: every sample gets a `worker` label (its slot,
 * stable when a worker is replaced), each family is listed once. Counters and histograms are
 * summed by `sum without (worker)`; per-worker gauges (RSS, event-loop delay) stay visible.
 */
export function mergeWorkerMetrics(texts: ReadonlyArray<{ worker: string; text: string }>): string {
  const families = new Map<string, Family>();
  for (const { worker, text } of texts) {
    let current: Family | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const name = meta[2] as string;
        current = families.get(name);
        if (!current) {
          current = { header: [], samples: [] };
          families.set(name, current);
        }
        if (!current.header.some((h) => h.startsWith(`# ${meta[1]} `))) current.header.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      if (!current) {
        const name = /^[^{ ]+/.exec(line)?.[0] ?? line;
        current = families.get(name) ?? { header: [], samples: [] };
        families.set(name, current);
      }
      current.samples.push(labelled(line, worker));
    }
  }
  const out: string[] = [];
  for (const family of families.values()) out.push(...family.header, ...family.samples);
  return `${out.join('\n')}\n`;
}
