import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { CatalogEntry, Destination, Source } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { Loading } from '../components/Loading';
import { usePageTitle } from '../components/usePageTitle';
import { SchemaForm, type SettingsFormSchema, type SettingsValues } from '../components/SchemaForm';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { DeliveryCard } from './DeliveryCard';
import { MappingsCard } from './mappings/MappingsCard';
import { NotFoundPage } from './NotFoundPage';
import { OAuthConnectionCard } from './OAuthConnectionCard';
import { LoadHistory, WarehouseSyncCard } from './WarehousesPage';

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
          schema={entry.data.settingsSchema as SettingsFormSchema}
          secrets={entry.data.secrets}
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
  const kind = destination.data?.warehouse ? 'Warehouses' : 'Destinations';
  usePageTitle(destination.data?.name, kind, workspace.name);

  if (destination.error instanceof ApiError && destination.error.status === 404) return <NotFoundPage />;
  if (destination.error) return <ErrorNotice error={destination.error} />;
  if (!destination.data) return <Loading what="the destination" />;
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
      {d.warehouse ? (
        <>
          <WarehouseSyncCard warehouseId={d.id} />
          <LoadHistory workspace={workspace.slug} warehouseId={d.id} />
        </>
      ) : (
        <DeliveryCard path={path} />
      )}
      <OAuthConnectionCard
        destination={d}
        path={path}
        canWrite={canWrite}
        onUpdate={() => void queryClient.invalidateQueries({ queryKey: ['destination', path] })}
      />
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
      {d.warehouse ? null : <MappingsCard key={d.id} destination={d} canWrite={canWrite} />}
    </>
  );
}
