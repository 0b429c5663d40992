import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { TrackingPlan, TrackingPlanChange, TrackingPlanVersion } from '../../../../src/api/types';
import { api, formatTime, wsPath } from '../../api';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { ErrorNotice } from '../../components/FormField';
import { Loading } from '../../components/Loading';
import { PlanChanges } from './PlanChanges';

/** One version's changes from the one before it. */
function VersionChanges({ path, version }: { path: string; version: number }) {
  const diff = useQuery({
    queryKey: ['plan-diff', path, version],
    queryFn: () => api.get<{ changes: TrackingPlanChange[] }>(`${path}/diff?from=${version - 1}&to=${version}`),
  });
  if (diff.error) return <ErrorNotice error={diff.error} />;
  if (!diff.data) return <Loading what="the changes" />;
  return <PlanChanges changes={diff.data.changes} label={`Changes in version ${version}`} />;
}

/** Every version of the plan, newest first, each with its changes and a restore. */
export function PlanVersions(props: { plan: TrackingPlan; canWrite: boolean; onRestored(plan: TrackingPlan): void }) {
  const { plan } = props;
  const workspace = useWorkspace();
  const path = wsPath(workspace.slug, 'tracking-plans', plan.id);
  const [shown, setShown] = useState<number | undefined>();
  const versions = useQuery({
    queryKey: ['plan-versions', path, plan.version],
    queryFn: () => api.get<{ versions: TrackingPlanVersion[] }>(`${path}/versions`),
  });
  const restore = useMutation({
    mutationFn: (version: number) => api.post<TrackingPlan>(`${path}/restore`, { version }),
    onSuccess: props.onRestored,
  });
  return (
    <section className="card" aria-labelledby="plan-versions-heading">
      <h2 id="plan-versions-heading">Version history</h2>
      <ErrorNotice error={versions.error ?? restore.error} />
      {versions.data ? (
        <ol className="version-list" aria-label="Versions">
          {versions.data.versions.map((v) => (
            <li key={v.version} data-version={v.version}>
              <div className="actions">
                <strong>Version {v.version}</strong>
                {v.version === plan.version ? <span className="badge badge-enabled">current</span> : null}
                <span className="muted">
                  {formatTime(v.savedAt)} · {v.eventCount} event{v.eventCount === 1 ? '' : 's'} · {v.sourceIds.length}{' '}
                  source{v.sourceIds.length === 1 ? '' : 's'}
                </span>
                {v.version > 1 ? (
                  <button
                    type="button"
                    aria-expanded={shown === v.version}
                    onClick={() => setShown(shown === v.version ? undefined : v.version)}
                  >
                    {shown === v.version ? 'Hide changes' : `Changes in version ${v.version}`}
                  </button>
                ) : null}
                {props.canWrite && v.version !== plan.version ? (
                  <button type="button" disabled={restore.isPending} onClick={() => restore.mutate(v.version)}>
                    Restore version {v.version}
                  </button>
                ) : null}
              </div>
              {shown === v.version ? <VersionChanges path={path} version={v.version} /> : null}
            </li>
          ))}
        </ol>
      ) : versions.isLoading ? (
        <Loading what="the versions" />
      ) : null}
      <p className="muted">
        Restoring saves that version's events and policies as a new version; sources stay connected.
      </p>
    </section>
  );
}
