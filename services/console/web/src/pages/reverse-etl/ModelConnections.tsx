import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CatalogEntry, ReverseEtlConnection, ReverseEtlModel } from '../../../../src/api/types';
import { api, ApiError, wsPath } from '../../api';
import { ErrorNotice, FormField } from '../../components/FormField';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { useDestinations } from './ReverseEtlPage';

const CHANGE_KINDS = ['added', 'updated', 'deleted'] as const;

/** The fields of a failed save, one line each (field paths are the server's: fields.data.@case.operator). */
function problems(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.fields.length === 0) return [];
  return error.fields.map((f) => `${f.field}: ${f.message}`);
}

/** A form for a new connection: destination, change kinds, action and field mapping (mapping-kit JSON). */
function NewConnection({ model }: { model: ReverseEtlModel }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const destinations = useDestinations(workspace.slug);
  const targets = destinations.data?.destinations.filter((d) => !d.warehouse) ?? [];
  const [destination, setDestination] = useState('');
  const [kinds, setKinds] = useState<string[]>(['added', 'updated']);
  const [action, setAction] = useState('');
  const [fields, setFields] = useState('{}');
  const [rowsPerSecond, setRowsPerSecond] = useState('100');
  const chosen = targets.find((d) => d.id === destination) ?? targets[0];
  const entry = useQuery({
    queryKey: ['catalog-entry', workspace.slug, chosen?.catalogId],
    queryFn: () => api.get<CatalogEntry>(wsPath(workspace.slug, 'catalog', chosen!.catalogId)),
    enabled: chosen !== undefined,
  });
  const actions = entry.data?.actions ?? [];
  const chosenAction = action || actions[0]?.id || '';
  const create = useMutation({
    mutationFn: () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fields);
      } catch {
        throw new Error('The field mapping is not valid JSON');
      }
      return api.post<ReverseEtlConnection>(wsPath(workspace.slug, 'reverse-etl', 'models', model.id, 'connections'), {
        destination: chosen?.id ?? '',
        changeKinds: kinds,
        action: chosenAction,
        fields: parsed,
        rowsPerSecond: Number(rowsPerSecond),
      });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['retl-connections', workspace.slug, model.id] }),
  });
  return (
    <form
      aria-label="New connection"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3>Connect a destination</h3>
      <FormField label="Destination" htmlFor="connection-destination">
        <select id="connection-destination" value={chosen?.id ?? ''} onChange={(e) => setDestination(e.target.value)}>
          {targets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </FormField>
      <fieldset>
        <legend>Row changes sent</legend>
        {CHANGE_KINDS.map((kind) => (
          <label key={kind} className="checkbox">
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={(e) => setKinds(e.target.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind))}
            />{' '}
            {kind}
          </label>
        ))}
      </fieldset>
      <FormField label="Action" htmlFor="connection-action">
        <select id="connection-action" value={chosenAction} onChange={(e) => setAction(e.target.value)}>
          {actions.map((a) => (
            <option key={a.id} value={a.id}>
              {a.title}
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        label="Field mapping"
        htmlFor="connection-fields"
        hint='Mapping directives as JSON; the row is under $.properties, e.g. { "email": { "@path": "$.properties.email" } }'
      >
        <textarea id="connection-fields" rows={5} value={fields} onChange={(e) => setFields(e.target.value)} />
      </FormField>
      <FormField label="Rows per second" htmlFor="connection-rate">
        <input
          id="connection-rate"
          type="number"
          min={1}
          value={rowsPerSecond}
          onChange={(e) => setRowsPerSecond(e.target.value)}
        />
      </FormField>
      <ul className="plain-list field-error" role="alert">
        {problems(create.error).map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      {problems(create.error).length === 0 ? <ErrorNotice error={create.error} /> : null}
      <button type="submit" className="primary" disabled={create.isPending || !chosen || kinds.length === 0}>
        Connect
      </button>
    </form>
  );
}

/** A model's connections: which destination, which row changes, which action; "Run now" and removal. */
export function ModelConnections({ model }: { model: ReverseEtlModel }) {
  const workspace = useWorkspace();
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
      {canWrite ? <NewConnection model={model} /> : null}
    </section>
  );
}
