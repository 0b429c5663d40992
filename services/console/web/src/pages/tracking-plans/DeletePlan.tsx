import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import type { TrackingPlan } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { ErrorNotice } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { plansKey } from './plan-queries';

/**
 * Deletes the plan with all its versions, after a confirmation naming what changes: its sources'
 * events are no longer checked. What it quarantined stays (a quarantine replay releases it).
 */
export function DeletePlan({ plan }: { plan: TrackingPlan }) {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.delete(wsPath(workspace.slug, 'tracking-plans', plan.id)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: plansKey(workspace.slug) });
      void navigate(`/${workspace.slug}/tracking-plans`);
    },
  });
  const held = plan.sourceIds.length;
  return (
    <section className="card" aria-label="Delete plan">
      <h2>Delete plan</h2>
      <p className="muted">
        Deletes every version of the plan.{' '}
        {held > 0
          ? `The events of its ${held === 1 ? 'source' : `${held} sources`} are no longer checked from then on. `
          : ''}
        Events it blocked stay in quarantine, where a quarantine replay (Replays page) can release them.
      </p>
      <ErrorNotice error={remove.error} />
      <button
        className="danger"
        disabled={remove.isPending}
        onClick={() => {
          if (window.confirm(`Delete the tracking plan ${plan.name} and all its versions?`)) remove.mutate();
        }}
      >
        Delete plan
      </button>
    </section>
  );
}
