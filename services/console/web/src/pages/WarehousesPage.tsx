import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { WarehouseLoad, WarehouseStatus } from '../../../src/api/types';
import { api, formatSecond, wsPath } from '../api';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/FormField';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

/** 2.5 s, 1 min 5 s, 1 h 2 min. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function interval(seconds: number): string {
  return seconds % 60 === 0 ? `every ${seconds / 60} min` : `every ${seconds} s`;
}

const totalRows = (load: WarehouseLoad) => load.rows.reduce((sum, r) => sum + r.rows, 0);

/** A load's status as a badge: success, partial or failure. */
function LoadStatus({ status }: { status: string }) {
  const look = status === 'success' ? 'succeeded' : status === 'failure' ? 'failed' : status;
  return <span className={`badge badge-${look}`}>{status}</span>;
}

/** A "sync now" asked for and not yet taken up by a loader. */
function syncPending(w: WarehouseStatus): boolean {
  return w.syncRequestedAt !== null && (w.syncStartedAt === null || w.syncStartedAt < w.syncRequestedAt);
}

function NextSync({ w }: { w: WarehouseStatus }) {
  if (!w.enabled) return <span className="muted">disabled</span>;
  if (syncPending(w)) return <span>sync requested {formatSecond(w.syncRequestedAt)}</span>;
  if (!w.nextSyncAt)
    return <span className="muted">{interval(w.syncIntervalSeconds)} (no loader has reported yet)</span>;
  return <span>{formatSecond(w.nextSyncAt)}</span>;
}

function LastSync({ load }: { load: WarehouseLoad | null }) {
  if (!load) return <span className="muted">never</span>;
  return (
    <>
      <LoadStatus status={load.status} /> {formatSecond(load.startedAt)}
    </>
  );
}

/** Asks the warehouse's loaders to load what is waiting now; they learn of it through the config stream. */
export function SyncNowButton({ workspace, warehouseId }: { workspace: string; warehouseId: string }) {
  const queryClient = useQueryClient();
  const sync = useMutation({
    mutationFn: () => api.post<WarehouseStatus>(wsPath(workspace, 'warehouses', warehouseId, 'sync')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['warehouse-syncs', workspace] }),
  });
  return (
    <>
      <button onClick={() => sync.mutate()} disabled={sync.isPending}>
        Sync now
      </button>
      <ErrorNotice error={sync.error} />
    </>
  );
}

export function useWarehouseSyncs(workspace: string) {
  return useQuery({
    queryKey: ['warehouse-syncs', workspace],
    queryFn: () => api.get<{ warehouses: WarehouseStatus[] }>(wsPath(workspace, 'warehouse-syncs')),
    refetchInterval: 5000,
  });
}

/** One warehouse's last and next sync, with "Sync now" (the warehouse page). */
export function WarehouseSyncCard({ warehouseId }: { warehouseId: string }) {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const syncs = useWarehouseSyncs(workspace.slug);
  const w = syncs.data?.warehouses.find((x) => x.warehouseId === warehouseId);
  return (
    <section className="card" aria-label="Sync">
      <div className="section-header">
        <h2>Sync</h2>
        {canWrite && w?.enabled ? <SyncNowButton workspace={workspace.slug} warehouseId={warehouseId} /> : null}
      </div>
      <ErrorNotice error={syncs.error} />
      {w ? (
        <dl className="sync-facts">
          <dt>Last sync</dt>
          <dd data-testid="last-sync">
            <LastSync load={w.lastSync} />
            {w.lastSync ? ` · ${formatDuration(w.lastSync.durationMs)} · ${totalRows(w.lastSync)} rows` : ''}
          </dd>
          <dt>Next sync</dt>
          <dd data-testid="next-sync">
            <NextSync w={w} /> <span className="muted">({interval(w.syncIntervalSeconds)})</span>
          </dd>
          <dt>Events waiting</dt>
          <dd data-testid="pending-events">{w.pendingEvents}</dd>
        </dl>
      ) : null}
    </section>
  );
}

/** Load history, newest first: errors and notices in words, wrapping on narrow screens. */
export function LoadHistory({ workspace, warehouseId }: { workspace: string; warehouseId: string }) {
  const loads = useQuery({
    queryKey: ['loads', workspace, warehouseId],
    queryFn: () => api.get<{ loads: WarehouseLoad[] }>(wsPath(workspace, 'warehouses', warehouseId, 'loads')),
    refetchInterval: 5000,
  });
  return (
    <section className="card" aria-label="Load history">
      <h2>Load history</h2>
      <ErrorNotice error={loads.error} />
      {loads.data?.loads.length === 0 ? <p className="muted">No loads yet.</p> : null}
      {loads.data && loads.data.loads.length > 0 ? (
        <table className="data-table compact load-history">
          <thead>
            <tr>
              <th>Started</th>
              <th>Duration</th>
              <th>Status</th>
              <th>Events</th>
              <th>Rows</th>
              <th>Errors and notices</th>
            </tr>
          </thead>
          <tbody>
            {loads.data.loads.map((load) => (
              <tr key={load.id}>
                <td data-label="Started">{formatSecond(load.startedAt)}</td>
                <td data-label="Duration">{formatDuration(load.durationMs)}</td>
                <td data-label="Status">
                  <LoadStatus status={load.status} />
                </td>
                <td data-label="Events">{load.events}</td>
                <td data-label="Rows" className="wrap-anywhere">
                  {load.rows.map((r) => `${r.table}: ${r.rows}`).join(', ') || '—'}
                </td>
                <td data-label="Errors and notices" className="wrap-anywhere">
                  {load.errors.length === 0 && load.notices.length === 0 ? '—' : null}
                  <ul className="plain-list">
                    {load.errors.map((e, i) => (
                      <li key={`e${i}`} className="load-error">
                        {e}
                      </li>
                    ))}
                    {load.notices.map((n, i) => (
                      <li key={`n${i}`}>{n}</li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function WarehousesPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const warehouses = useWarehouseSyncs(workspace.slug);
  usePageTitle('Warehouses', workspace.name);
  return (
    <>
      <div className="page-header">
        <h1>Warehouses</h1>
        {canWrite ? (
          <Link className="button primary" to={`/${workspace.slug}/catalog?category=Warehouses`}>
            Add warehouse
          </Link>
        ) : null}
      </div>
      <DataTable<WarehouseStatus>
        rows={warehouses.data?.warehouses}
        error={warehouses.error}
        rowKey={(w) => w.warehouseId}
        rowAttributes={(w) => ({ 'data-warehouse': w.name })}
        empty="No warehouses yet: add one to load events into PostgreSQL or DuckDB on an interval."
        columns={[
          {
            id: 'name',
            header: 'Name',
            cell: (w) => (
              <>
                <Link to={`/${workspace.slug}/warehouses/${w.warehouseId}`}>{w.name}</Link>
                <div className="muted">
                  {w.kind} · {interval(w.syncIntervalSeconds)}
                </div>
              </>
            ),
          },
          {
            id: 'status',
            header: 'Status',
            cell: (w) => (
              <span className={`badge badge-${w.enabled ? 'enabled' : 'disabled'}`}>
                {w.enabled ? 'enabled' : 'disabled'}
              </span>
            ),
          },
          { id: 'last-sync', header: 'Last sync', cell: (w) => <LastSync load={w.lastSync} /> },
          {
            id: 'duration',
            header: 'Duration',
            cell: (w) => (w.lastSync ? formatDuration(w.lastSync.durationMs) : '—'),
          },
          { id: 'rows', header: 'Rows', cell: (w) => (w.lastSync ? totalRows(w.lastSync) : '—') },
          { id: 'next-sync', header: 'Next sync', cell: (w) => <NextSync w={w} /> },
          { id: 'sources', header: 'Sources', cell: (w) => w.sourceNames.join(', ') || '—' },
          ...(canWrite
            ? [
                {
                  id: 'actions',
                  header: '',
                  cell: (w: WarehouseStatus) =>
                    w.enabled ? <SyncNowButton workspace={workspace.slug} warehouseId={w.warehouseId} /> : null,
                },
              ]
            : []),
        ]}
      />
    </>
  );
}
