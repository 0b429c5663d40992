import { useQuery } from '@tanstack/react-query';
import type { Source, TrackingPlan, TrackingPlanRules } from '../../../../src/api/types';
import { api, wsPath } from '../../api';

/** A new plan's rules: nothing planned, every policy `allow` (reports, never blocks). */
export const EMPTY_RULES: TrackingPlanRules = {
  events: {},
  policies: { unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' },
};

export const plansKey = (workspace: string) => ['tracking-plans', workspace];

export function usePlans(workspace: string) {
  return useQuery({
    queryKey: plansKey(workspace),
    queryFn: () => api.get<{ plans: TrackingPlan[] }>(wsPath(workspace, 'tracking-plans')),
  });
}

/** The workspace's sources, for names and the connect and generate pickers. */
export function useWorkspaceSources(workspace: string) {
  return useQuery({
    queryKey: ['plan-sources', workspace],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace, 'sources')}?page_size=500`),
  });
}
