import { Link } from 'react-router';
import type { Destination } from '../../../src/api/types';
import { wsPath } from '../api';
import { PropertyTable } from '../components/PropertyTable';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

export function destinationValues(destination: Destination, field: string): string[] {
  switch (field) {
    case 'status':
      return [destination.enabled ? 'enabled' : 'disabled'];
    case 'created_at':
      return destination.createdAt ? [destination.createdAt] : [];
    case 'type':
      return [destination.type];
    case 'sources':
      return destination.sourceNames;
    case 'category':
      return destination.categories;
    default:
      return [];
  }
}

export function DestinationsPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  usePageTitle('Destinations', workspace.name);
  return (
    <>
      <div className="page-header">
        <h1>Destinations</h1>
        {canWrite ? (
          <Link className="button primary" to={`/${workspace.slug}/catalog`}>
            Add destination
          </Link>
        ) : null}
      </div>
      <PropertyTable<Destination>
        page="destinations"
        noun="destinations"
        listPath={wsPath(workspace.slug, 'destinations')}
        fixedQuery={{ warehouse: 'destination' }}
        rowsOf={(response) => (response as { destinations: Destination[] }).destinations}
        rowKey={(d) => d.id}
        nameCell={(d) => <Link to={`/${workspace.slug}/destinations/${d.id}`}>{d.name}</Link>}
        valuesOf={destinationValues}
        emptyText="No destinations yet: add one from the catalog."
      />
    </>
  );
}
