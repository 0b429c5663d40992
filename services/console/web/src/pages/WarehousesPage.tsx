import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Destination } from '../../../src/api/types';
import { api, formatTime, wsPath } from '../api';
import { DataTable } from '../components/DataTable';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

export function WarehousesPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const warehouses = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'warehouses')],
    queryFn: () => api.get<{ destinations: Destination[] }>(wsPath(workspace.slug, 'warehouses')),
  });
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
      <DataTable<Destination>
        rows={warehouses.data?.destinations}
        error={warehouses.error}
        rowKey={(w) => w.id}
        empty="No warehouses yet: add one to load events into PostgreSQL or DuckDB on an interval."
        columns={[
          {
            id: 'name',
            header: 'Name',
            cell: (w) => <Link to={`/${workspace.slug}/warehouses/${w.id}`}>{w.name}</Link>,
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
          { id: 'type', header: 'Type', cell: (w) => w.type },
          {
            id: 'interval',
            header: 'Sync interval',
            cell: (w) => `every ${Math.round(w.syncIntervalSeconds / 60)} min`,
          },
          { id: 'sources', header: 'Sources', cell: (w) => w.sourceNames.join(', ') || '—' },
          { id: 'created', header: 'Created', cell: (w) => formatTime(w.createdAt) },
        ]}
      />
    </>
  );
}
