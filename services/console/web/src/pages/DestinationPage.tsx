import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { CatalogEntry, DeliveryStats, Destination, Source, WarehouseLoad } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { SchemaForm, type SettingsSchema, type SettingsValues } from '../components/SchemaForm';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { NotFoundPage } from './NotFoundPage';

function DeliveryStatsCard({ path }: { path: string }) {
  const stats = useQuery({
    queryKey: ['delivery-stats', path],
    queryFn: () => api.get<DeliveryStats>(`${path}/delivery-stats`),
    refetchInterval: 3000,
  });
  const s = stats.data;
  return (
    <section className="card" aria-label="Delivery stats">
      <div className="section-header">
        <h2>Delivery (last 24 hours)</h2>
        <span className="muted">{s?.updatedAt ? `updated ${formatTime(s.updatedAt)}` : ''}</span>
      </div>
      <ErrorNotice error={stats.error} />
      {s ? (
        <>
          <div className="stats">
            <div className="stat" data-testid="stat-delivered">
              <span className="stat-value">{s.delivered}</span>
              <span className="stat-label">delivered</span>
            </div>
            <div className="stat" data-testid="stat-retried">
              <span className="stat-value">{s.retried}</span>
              <span className="stat-label">retried</span>
            </div>
            <div className="stat" data-testid="stat-failed">
              <span className="stat-value">{s.failed}</span>
              <span className="stat-label">failed</span>
            </div>
            <div className="stat" data-testid="stat-filtered">
              <span className="stat-value">{s.filtered}</span>
              <span className="stat-label">filtered</span>
            </div>
            <div className="stat" data-testid="stat-fields-dropped">
              <span className="stat-value">{s.fieldsDropped}</span>
              <span className="stat-label">fields dropped</span>
            </div>
            <div className="stat" data-testid="stat-fields-converted">
              <span className="stat-value">{s.fieldsConverted}</span>
              <span className="stat-label">values converted</span>
            </div>
            <div className="stat" data-testid="stat-latency">
              <span className="stat-value">
                {Math.round(s.latencyP50Ms)} / {Math.round(s.latencyP95Ms)} ms
              </span>
              <span className="stat-label">latency p50 / p95</span>
            </div>
          </div>
          <ReasonsTable
            heading={['Not delivered because', 'Outcome']}
            groups={[
              { what: 'failed', counts: s.failuresByReason },
              { what: 'filtered', counts: s.filteredByReason },
            ]}
          />
          {/* What delivered events lost or had converted, per field: nothing disappears without a trace. */}
          <ReasonsTable
            label="Fields dropped or converted"
            heading={['Field of delivered events', 'What happened']}
            groups={[
              { what: 'dropped', counts: s.droppedFieldsByReason },
              { what: 'converted', counts: s.convertedFieldsByReason },
            ]}
          />
        </>
      ) : null}
    </section>
  );
}

/** Counts per reason, in groups (failed / filtered, dropped / converted); nothing when all are empty. */
function ReasonsTable({
  label,
  heading,
  groups,
}: {
  label?: string;
  heading: [string, string];
  groups: { what: string; counts: DeliveryStats['failuresByReason'] }[];
}) {
  if (groups.every((g) => g.counts.length === 0)) return null;
  return (
    <table className="data-table compact" aria-label={label}>
      <thead>
        <tr>
          <th>{heading[0]}</th>
          <th>{heading[1]}</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {groups.flatMap(({ what, counts }) =>
          counts.map((c) => (
            <tr key={`${what}-${c.reason}`}>
              <td>{c.reason}</td>
              <td>{what}</td>
              <td>{c.count}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

function LoadHistory({ path }: { path: string }) {
  const loads = useQuery({
    queryKey: ['loads', path],
    queryFn: () => api.get<{ loads: WarehouseLoad[] }>(`${path.replace('/destinations/', '/warehouses/')}/loads`),
    refetchInterval: 10000,
  });
  return (
    <section className="card" aria-label="Load history">
      <h2>Load history</h2>
      <ErrorNotice error={loads.error} />
      {loads.data?.loads.length === 0 ? <p className="muted">No loads yet.</p> : null}
      {loads.data && loads.data.loads.length > 0 ? (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Started</th>
              <th>Finished</th>
              <th>Status</th>
              <th>Rows</th>
              <th>Errors</th>
            </tr>
          </thead>
          <tbody>
            {loads.data.loads.map((load) => (
              <tr key={load.id}>
                <td>{formatTime(load.startedAt)}</td>
                <td>{formatTime(load.finishedAt)}</td>
                <td>
                  <span className={`badge badge-${load.status}`}>{load.status}</span>
                </td>
                <td>{load.rows.map((r) => `${r.table}: ${r.rows}`).join(', ') || '—'}</td>
                <td>{load.errors.join('; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function SettingsCard({ destination, path, canWrite }: { destination: Destination; path: string; canWrite: boolean }) {
  const workspace = useWorkspace();
  const queryClient = useQueryClient();
  const entry = useQuery({
    queryKey: ['catalog-entry', workspace.slug, destination.catalogId],
    queryFn: () => api.get<CatalogEntry>(wsPath(workspace.slug, 'catalog', destination.catalogId)),
  });
  const [values, setValues] = useState<SettingsValues>(destination.settings);
  const [interval, setSyncInterval] = useState(destination.syncIntervalSeconds);
  const save = useMutation({
    mutationFn: () =>
      api.patch<Destination>(path, {
        settings: values,
        ...(destination.warehouse ? { syncIntervalSeconds: interval } : {}),
      }),
    onSuccess: (data) => {
      queryClient.setQueryData(['destination', path], data);
      setValues(data.settings);
    },
  });
  const error = save.error instanceof ApiError ? save.error : undefined;
  return (
    <section className="card" aria-label="Settings">
      <h2>Settings</h2>
      <p className="muted">Secret settings are masked; leave them as they are to keep the saved value.</p>
      {destination.warehouse ? (
        <FormField
          label="Sync interval (seconds)"
          htmlFor="sync-interval"
          error={error?.fieldMessage('syncIntervalSeconds')}
        >
          <input
            id="sync-interval"
            type="number"
            min={60}
            value={interval}
            disabled={!canWrite}
            onChange={(e) => setSyncInterval(Number(e.target.value))}
          />
        </FormField>
      ) : null}
      {entry.data ? (
        <SchemaForm
          idPrefix="setting"
          schema={entry.data.settingsSchema as SettingsSchema}
          values={values}
          onChange={setValues}
          disabled={!canWrite}
          errorFor={(field) => error?.fieldMessage(`settings.${field}`)}
        />
      ) : null}
      <ErrorNotice error={save.error} />
      {canWrite ? (
        <button className="primary" onClick={() => save.mutate()} disabled={save.isPending}>
          Save settings
        </button>
      ) : null}
      {save.isSuccess ? <span className="muted"> Saved.</span> : null}
    </section>
  );
}

export function DestinationPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { destination: id = '' } = useParams();
  const path = wsPath(workspace.slug, 'destinations', id);
  const destination = useQuery({ queryKey: ['destination', path], queryFn: () => api.get<Destination>(path) });
  const sources = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'sources'), 'all'],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace.slug, 'sources')}?page_size=500&sort=name`),
  });
  const [toConnect, setToConnect] = useState('');
  const onUpdate = (data: Destination) => {
    queryClient.setQueryData(['destination', path], data);
    void queryClient.invalidateQueries({ queryKey: ['list'] });
  };
  const toggle = useMutation({
    mutationFn: (enabled: boolean) => api.patch<Destination>(path, { enabled }),
    onSuccess: onUpdate,
  });
  const connect = useMutation({
    mutationFn: (source: string) => api.put<Destination>(`${path}/sources/${encodeURIComponent(source)}`),
    onSuccess: (data) => {
      setToConnect('');
      onUpdate(data);
    },
  });
  const disconnect = useMutation({
    mutationFn: (source: string) => api.delete<Destination>(`${path}/sources/${encodeURIComponent(source)}`),
    onSuccess: onUpdate,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(path),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['list'] });
      void navigate(`/${workspace.slug}/destinations`);
    },
  });
  if (destination.error instanceof ApiError && destination.error.status === 404) return <NotFoundPage />;
  if (destination.error) return <ErrorNotice error={destination.error} />;
  if (!destination.data) return <p className="loading">Loading…</p>;
  const d = destination.data;
  const listPage = d.warehouse ? 'warehouses' : 'destinations';
  const unconnected = (sources.data?.sources ?? []).filter((s) => !d.sourceIds.includes(s.id));
  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to={`/${workspace.slug}/${listPage}`}>{d.warehouse ? 'Warehouses' : 'Destinations'}</Link> /
          </div>
          <h1>
            {d.name}{' '}
            <span className={`badge badge-${d.enabled ? 'enabled' : 'disabled'}`}>
              {d.enabled ? 'enabled' : 'disabled'}
            </span>
          </h1>
          <p className="muted">
            {d.type} · {d.categories.join(', ')} · created {formatTime(d.createdAt)} by {d.createdBy}
          </p>
        </div>
        <div className="actions">
          {d.warehouse ? null : (
            <Link className="button" to={`/${workspace.slug}/destinations/${d.id}/dead-letters`}>
              Dead letters
            </Link>
          )}
          {canWrite ? (
            <>
              <button onClick={() => toggle.mutate(!d.enabled)}>{d.enabled ? 'Disable' : 'Enable'}</button>
              <button
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete ${d.name}?`)) remove.mutate();
                }}
              >
                Delete
              </button>
            </>
          ) : null}
        </div>
      </div>
      <ErrorNotice error={toggle.error ?? connect.error ?? disconnect.error ?? remove.error} />
      {d.warehouse ? <LoadHistory path={path} /> : <DeliveryStatsCard path={path} />}
      <div className="grid-2">
        <SettingsCard key={d.id} destination={d} path={path} canWrite={canWrite} />
        <section className="card" aria-label="Connected sources">
          <h2>Connected sources</h2>
          {d.sourceIds.length === 0 ? <p className="muted">No source sends here yet.</p> : null}
          <ul>
            {d.sourceIds.map((sourceId, i) => (
              <li key={sourceId}>
                <Link to={`/${workspace.slug}/sources/${sourceId}`}>{d.sourceNames[i] ?? sourceId}</Link>{' '}
                {canWrite ? (
                  <button className="link-button" onClick={() => disconnect.mutate(sourceId)}>
                    Disconnect
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
          {canWrite && unconnected.length > 0 ? (
            <div className="row">
              <select aria-label="Source to connect" value={toConnect} onChange={(e) => setToConnect(e.target.value)}>
                <option value="">Choose a source…</option>
                {unconnected.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
              <button disabled={!toConnect} onClick={() => connect.mutate(toConnect)}>
                Connect
              </button>
            </div>
          ) : null}
        </section>
      </div>
    </>
  );
}
