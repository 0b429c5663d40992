import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { TrackingPlan } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useWorkspaceSources } from './plan-queries';

/** The sources whose events are held to the plan; connecting or disconnecting one saves a new version. */
export function PlanSources(props: { plan: TrackingPlan; canWrite: boolean; onChanged(plan: TrackingPlan): void }) {
  const { plan } = props;
  const workspace = useWorkspace();
  const path = wsPath(workspace.slug, 'tracking-plans', plan.id, 'sources');
  const sources = useWorkspaceSources(workspace.slug);
  const [chosen, setChosen] = useState('');
  const connect = useMutation({
    mutationFn: (source: string) => api.post<TrackingPlan>(path, { source }),
    onSuccess: (saved) => {
      setChosen('');
      props.onChanged(saved);
    },
  });
  const disconnect = useMutation({
    mutationFn: (source: string) => api.delete<TrackingPlan>(`${path}/${encodeURIComponent(source)}`),
    onSuccess: props.onChanged,
  });
  const all = sources.data?.sources ?? [];
  const nameOf = (id: string) => all.find((s) => s.id === id)?.name ?? id;
  const others = all.filter((s) => !plan.sourceIds.includes(s.id));
  const pick = chosen || others[0]?.id || '';

  return (
    <section className="card" aria-labelledby="plan-sources-heading">
      <h2 id="plan-sources-heading">Connected sources</h2>
      {plan.sourceIds.length === 0 ? (
        <p className="muted">No source is held to this plan yet: connect one to check its events.</p>
      ) : (
        <ul className="plan-source-list" aria-label="Connected sources">
          {plan.sourceIds.map((id) => (
            <li key={id} className="actions">
              <Link to={`/${workspace.slug}/sources/${id}`}>{nameOf(id)}</Link>
              {props.canWrite ? (
                <button type="button" disabled={disconnect.isPending} onClick={() => disconnect.mutate(id)}>
                  Disconnect {nameOf(id)}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {props.canWrite && others.length > 0 ? (
        <div className="row">
          <FormField label="Source" htmlFor="plan-connect-source">
            <select id="plan-connect-source" value={pick} onChange={(e) => setChosen(e.target.value)}>
              {others.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </FormField>
          <button type="button" disabled={!pick || connect.isPending} onClick={() => connect.mutate(pick)}>
            Connect source
          </button>
        </div>
      ) : null}
      <ErrorNotice error={sources.error ?? connect.error ?? disconnect.error} />
    </section>
  );
}
