import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, wsPath } from '../../api';
import { useWorkspace } from '../../components/WorkspaceLayout';

/**
 * The workspace's collection of one kind of replay: its path under the workspace, which is also the
 * first part of its query keys (so a start or a cancel refreshes that kind's list and not the other's).
 */
export type RunResource = 'replays' | 'quarantine-replays';

/**
 * A kind of replay's runs, read again every two seconds while the page is open (runs move on their
 * own), and how to cancel one; `error` is the list's or the last cancel's, for one notice.
 */
export function useRuns<Run>(resource: RunResource) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const runs = useQuery({
    queryKey: [resource, workspace.slug],
    queryFn: () => api.get<{ replays: Run[] }>(wsPath(workspace.slug, resource)),
    refetchInterval: 2000,
  });
  const cancel = useMutation({
    mutationFn: (id: string) => api.post<Run>(wsPath(workspace.slug, resource, id, 'cancel')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [resource] }),
  });
  return {
    list: runs.data?.replays ?? [],
    /** The list has been read (and may be empty), as opposed to still loading or failed. */
    loaded: runs.data !== undefined,
    cancel: (id: string) => cancel.mutate(id),
    error: runs.error ?? cancel.error,
  };
}
