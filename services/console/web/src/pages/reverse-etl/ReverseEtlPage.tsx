import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { Destination, ReverseEtlModel } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { ErrorNotice } from '../../components/FormField';
import { usePageTitle } from '../../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { ModelConnections } from './ModelConnections';
import { ModelEditor } from './ModelEditor';
import { ModelRuns } from './ModelRuns';

/** "every 60 min", "cron 0 6 * * *" or "manual". */
export function scheduleText(model: ReverseEtlModel): string {
  const { intervalSeconds, cron } = model.schedule;
  if (intervalSeconds > 0)
    return intervalSeconds % 60 === 0 ? `every ${intervalSeconds / 60} min` : `every ${intervalSeconds} s`;
  return cron ? `cron ${cron}` : 'manual';
}

export function useModels(workspace: string) {
  return useQuery({
    queryKey: ['retl-models', workspace],
    queryFn: () => api.get<{ models: ReverseEtlModel[] }>(wsPath(workspace, 'reverse-etl', 'models')),
  });
}

/** The workspace's destinations (warehouses among them), for the editors' pickers. */
export function useDestinations(workspace: string) {
  return useQuery({
    queryKey: ['retl-destinations', workspace],
    queryFn: () => api.get<{ destinations: Destination[] }>(`${wsPath(workspace, 'destinations')}?page_size=500`),
  });
}

/** Reverse ETL: the models of the workspace, and one model's editor, connections and runs. */
export function ReverseEtlPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const { model: modelId } = useParams();
  usePageTitle('Reverse ETL', workspace.name);
  const models = useModels(workspace.slug);
  const destinations = useDestinations(workspace.slug);
  const warehouseName = (id: string) => destinations.data?.destinations.find((d) => d.id === id)?.name ?? id;
  const model = modelId && modelId !== 'new' ? models.data?.models.find((m) => m.id === modelId) : undefined;

  if (modelId) {
    return (
      <>
        <div className="page-header">
          <h1>{model ? model.name : 'New model'}</h1>
          <Link to={`/${workspace.slug}/reverse-etl`}>All models</Link>
        </div>
        <ErrorNotice error={models.error} />
        {modelId === 'new' || model ? <ModelEditor key={modelId} model={model} /> : null}
        {model ? <ModelConnections model={model} /> : null}
        {model ? <ModelRuns model={model} /> : null}
      </>
    );
  }
  return (
    <>
      <div className="page-header">
        <h1>Reverse ETL</h1>
        {canWrite ? (
          <Link className="button primary" to={`/${workspace.slug}/reverse-etl/new`}>
            New model
          </Link>
        ) : null}
      </div>
      <p className="muted">
        Models are warehouse queries: the rows each run adds, changes or removes are sent to the connected destinations.
      </p>
      <ErrorNotice error={models.error} />
      {models.data?.models.length === 0 ? <p className="muted">No models yet.</p> : null}
      {models.data && models.data.models.length > 0 ? (
        <table className="data-table" aria-label="Models">
          <thead>
            <tr>
              <th>Name</th>
              <th>Warehouse</th>
              <th>Schedule</th>
              <th>Status</th>
              <th>Created by</th>
            </tr>
          </thead>
          <tbody>
            {models.data.models.map((m) => (
              <tr key={m.id}>
                <td data-label="Name">
                  <Link to={`/${workspace.slug}/reverse-etl/${m.id}`}>{m.name}</Link>
                </td>
                <td data-label="Warehouse">{warehouseName(m.warehouseId)}</td>
                <td data-label="Schedule">{scheduleText(m)}</td>
                <td data-label="Status">{m.enabled ? 'enabled' : 'disabled'}</td>
                <td data-label="Created by">{m.createdBy || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
