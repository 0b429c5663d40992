import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, wsPath } from '../../api';
import { useWorkspace } from '../../components/WorkspaceLayout';
import type { RunResource } from './useRuns';

/**
 * Starting a replay of one kind with the body its form makes, then refreshing that kind's list.
 * `fieldErrors` is the server's answer when it names fields (shown beside them); `notice` the failure
 * that no field shows.
 */
export function useStartRun<Run>(resource: RunResource, body: () => Record<string, unknown>) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: () => api.post<Run>(wsPath(workspace.slug, resource), body()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [resource] }),
  });
  const fieldErrors = start.error instanceof ApiError ? start.error : undefined;
  return {
    start: () => start.mutate(),
    isPending: start.isPending,
    fieldErrors,
    notice: start.error && !fieldErrors?.fields.length ? start.error : undefined,
  };
}
