import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Destination } from '../../../src/api/types';
import { api, formatTime, wsPath } from '../api';
import { ErrorNotice } from '../components/FormField';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

export function WarehousesPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const warehouses = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'warehouses')],
    queryFn: () => api.get<{ destinations: Destination[] }>(wsPath(workspace.slug, 'warehouses')),
  });
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
      <ErrorNotice error={warehouses.error} />
      <table className="data-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Type</th>
            <th>Sync interval</th>
            <th>Sources</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {warehouses.data?.destinations.map((w) => (
            <tr key={w.id}>
              <td>
                <Link to={`/${workspace.slug}/warehouses/${w.id}`}>{w.name}</Link>
              </td>
              <td>
                <span className={`badge badge-${w.enabled ? 'enabled' : 'disabled'}`}>
                  {w.enabled ? 'enabled' : 'disabled'}
                </span>
              </td>
              <td>{w.type}</td>
              <td>every {Math.round(w.syncIntervalSeconds / 60)} min</td>
              <td>{w.sourceNames.join(', ') || '—'}</td>
              <td>{formatTime(w.createdAt)}</td>
            </tr>
          ))}
          {warehouses.data?.destinations.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted empty">
                No warehouses yet.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </>
  );
}
