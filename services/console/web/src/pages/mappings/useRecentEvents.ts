import { useQuery } from '@tanstack/react-query';
import { api, wsPath } from '../../api';
import type { DebuggerEntry } from '../../components/LiveDebugger';

/** A recent event of one of the destination's sources, as the live debugger kept it. */
export interface RecentEvent extends DebuggerEntry {
  sourceName: string;
}

const PER_SOURCE = 50;

/**
 * The events the destination's sources accepted lately (the live debugger's buffer), newest
 * first: where the mapping editor's path suggestions and the tester's picks come from.
 */
export function useRecentEvents(workspace: string, sources: ReadonlyArray<{ id: string; name: string }>) {
  return useQuery({
    queryKey: ['recent-events', workspace, sources.map((s) => s.id)],
    queryFn: async () => {
      const lists = await Promise.all(
        sources.map(async (source) => {
          const { events } = await api.get<{ events: DebuggerEntry[] }>(
            `${wsPath(workspace, 'sources', source.id, 'debugger', 'events')}?limit=${PER_SOURCE}`,
          );
          return events
            .filter((e) => e.status === 'accepted')
            .map((e): RecentEvent => ({ ...e, sourceName: source.name }));
        }),
      );
      return lists.flat().sort((a, b) => b.at.localeCompare(a.at));
    },
    enabled: sources.length > 0,
    retry: false,
  });
}

/** One line naming an event: its type, name and when. */
export function describeEvent(entry: RecentEvent): string {
  const event = entry.event as Record<string, unknown> | null;
  const name =
    typeof event?.['event'] === 'string' ? event['event'] : typeof event?.['name'] === 'string' ? event['name'] : '';
  const time = new Date(entry.at).toLocaleTimeString();
  return `${entry.type ?? '?'}${name ? ` “${name}”` : ''} · ${entry.sourceName} · ${time}`;
}
