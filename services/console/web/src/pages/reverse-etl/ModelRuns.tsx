import { useQuery } from '@tanstack/react-query';
import type { ReverseEtlModel, ReverseEtlRun } from '../../../../src/api/types';
import { api, formatSecond, wsPath } from '../../api';
import { ErrorNotice } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { formatDuration } from '../WarehousesPage';
import { FailedRows, RunDeliveries } from './RunDeliveries';

const counts = (c: ReverseEtlRun['counts']) => `+${c.added} ~${c.updated} −${c.deleted}`;

/**
 * A model's runs, latest first: what the diff found, what was published, what the deliveries came
 * to (per outcome and change kind, with the failed rows and their reasons), and why a run failed.
 */
export function ModelRuns({ model }: { model: ReverseEtlModel }) {
  const workspace = useWorkspace();
  const runs = useQuery({
    queryKey: ['retl-runs', workspace.slug, model.id],
    queryFn: () =>
      api.get<{ runs: ReverseEtlRun[] }>(wsPath(workspace.slug, 'reverse-etl', 'models', model.id, 'runs')),
    refetchInterval: 2000,
  });
  return (
    <section className="card" aria-label="Runs">
      <h2>Runs</h2>
      <ErrorNotice error={runs.error} />
      {runs.data?.runs.length === 0 ? <p className="muted">No runs yet.</p> : null}
      {runs.data && runs.data.runs.length > 0 ? (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Started</th>
              <th>Trigger</th>
              <th>Status</th>
              <th>Duration</th>
              <th title="added, updated, deleted">Found</th>
              <th>Published</th>
              <th title="added, updated, deleted">Deliveries</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.runs.flatMap((run) => [
              <tr key={run.id} data-testid="model-run">
                <td data-label="Started">{formatSecond(run.startedAt)}</td>
                <td data-label="Trigger">{run.trigger}</td>
                <td data-label="Status">
                  <span className={`badge badge-${run.status}`}>{run.status}</span>
                  {run.status === 'running' ? ` (${run.phase})` : ''}
                  {run.status === 'delivering' && run.deliveringSince
                    ? ` since ${formatSecond(run.deliveringSince)}`
                    : ''}
                </td>
                <td data-label="Duration">{run.finishedAt ? formatDuration(run.durationMs) : '—'}</td>
                <td data-label="Found">{counts(run.counts)}</td>
                <td data-label="Published">{counts(run.published)}</td>
                <td data-label="Deliveries">
                  <RunDeliveries run={run} />
                </td>
                <td data-label="Error" className="wrap-anywhere">
                  {run.errorCode ? `${run.errorCode}: ${run.errorMessage}` : run.lastAttemptError || '—'}
                </td>
              </tr>,
              // The failed rows under their run, across the table.
              run.failedRows.length > 0 ? (
                <tr key={`${run.id}-failed`}>
                  <td colSpan={8}>
                    <FailedRows run={run} />
                  </td>
                </tr>
              ) : null,
            ])}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
