import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReverseEtlConnection, ReverseEtlModel } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { ErrorNotice } from '../../components/FormField';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { ConnectionForm } from './ConnectionForm';
import { useDestinations } from './ReverseEtlPage';

/** A model's connections: which destination, which row changes, which action; "Run now", changes and removal. */
export function ModelConnections({ model }: { model: ReverseEtlModel }) {
  const workspace = useWorkspace();
  const [editing, setEditing] = useState<string | null>(null);
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const destinations = useDestinations(workspace.slug);
  const nameOf = (id: string) => destinations.data?.destinations.find((d) => d.id === id)?.name ?? id;
  const modelPath = wsPath(workspace.slug, 'reverse-etl', 'models', model.id);
  const connections = useQuery({
    queryKey: ['retl-connections', workspace.slug, model.id],
    queryFn: () => api.get<{ connections: ReverseEtlConnection[] }>(`${modelPath}/connections`),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.delete(`${modelPath}/connections/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['retl-connections', workspace.slug, model.id] }),
  });
  const toggle = useMutation({
    mutationFn: (c: ReverseEtlConnection) =>
      api.patch<ReverseEtlConnection>(`${modelPath}/connections/${encodeURIComponent(c.id)}`, { enabled: !c.enabled }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['retl-connections', workspace.slug, model.id] }),
  });
  const runNow = useMutation({
    mutationFn: () => api.post<ReverseEtlModel>(`${modelPath}/run`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['retl-runs', workspace.slug, model.id] }),
  });
  const list = connections.data?.connections ?? [];
  const editingConnection = list.find((c) => c.id === editing);
  return (
    <section className="card" aria-label="Connections">
      <div className="section-header">
        <h2>Connections</h2>
        {canWrite ? (
          <button onClick={() => runNow.mutate()} disabled={runNow.isPending}>
            Run now
          </button>
        ) : null}
      </div>
      {runNow.isSuccess ? <p className="muted">Run requested: it shows below once a loader starts it.</p> : null}
      <ErrorNotice error={runNow.error ?? connections.error ?? remove.error ?? toggle.error} />
      {list.length === 0 ? <p className="muted">Not connected to any destination yet.</p> : null}
      {list.length > 0 ? (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Destination</th>
              <th>Changes</th>
              <th>Action</th>
              <th>Fields</th>
              <th>Rows/s</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td data-label="Destination">{nameOf(c.destinationId)}</td>
                <td data-label="Changes">{c.changeKinds.join(', ')}</td>
                <td data-label="Action">{c.action}</td>
                <td data-label="Fields" className="wrap-anywhere">
                  <code>{JSON.stringify(c.fields)}</code>
                </td>
                <td data-label="Rows/s">{c.rowsPerSecond}</td>
                <td data-label="Status">{c.enabled ? 'enabled' : 'disabled'}</td>
                <td>
                  {canWrite ? (
                    <button className="link" onClick={() => setEditing(c.id)}>
                      Edit
                    </button>
                  ) : null}
                  {canWrite ? (
                    <button className="link" onClick={() => toggle.mutate(c)}>
                      {c.enabled ? 'Disable' : 'Enable'}
                    </button>
                  ) : null}
                  {canWrite ? (
                    <button className="link" onClick={() => remove.mutate(c.id)}>
                      Disconnect
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canWrite && editingConnection ? (
        <ConnectionForm
          key={editingConnection.id}
          model={model}
          connection={editingConnection}
          onDone={() => setEditing(null)}
        />
      ) : null}
      {canWrite && !editingConnection ? <ConnectionForm key={model.id} model={model} /> : null}
    </section>
  );
}
