import { Link, useParams } from 'react-router';
import type { TrackingPlan } from '../../../../src/api/types';
import { formatTime } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { usePageTitle } from '../../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../../components/WorkspaceLayout';
import { usePlans, useWorkspaceSources } from './plan-queries';
import { PlanPage } from './PlanPage';

/** Tracking plans: the workspace's plans, or one plan's page. */
export function TrackingPlansPage() {
  const { plan } = useParams();
  return plan ? <PlanPage key={plan} planId={plan} /> : <PlanList />;
}

function PlanList() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  usePageTitle('Tracking plans', workspace.name);
  const plans = usePlans(workspace.slug);
  const sources = useWorkspaceSources(workspace.slug);
  const sourceName = (id: string) => sources.data?.sources.find((s) => s.id === id)?.name ?? id;
  const columns: Column<TrackingPlan>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (p) => <Link to={`/${workspace.slug}/tracking-plans/${p.id}`}>{p.name}</Link>,
    },
    { id: 'version', header: 'Version', cell: (p) => p.version },
    { id: 'events', header: 'Events', cell: (p) => Object.keys(p.rules.events).length },
    {
      id: 'sources',
      header: 'Sources',
      cell: (p) => (p.sourceIds.length ? p.sourceIds.map(sourceName).join(', ') : <span className="muted">none</span>),
    },
    { id: 'saved', header: 'Saved', cell: (p) => formatTime(p.savedAt) },
  ];
  return (
    <>
      <div className="page-header">
        <h1>Tracking plans</h1>
        {canWrite ? (
          <Link className="button primary" to={`/${workspace.slug}/tracking-plans/new`}>
            New plan
          </Link>
        ) : null}
      </div>
      <p className="muted">
        A plan lists the events its sources send, each with a JSON Schema of its properties, and says what ingestion
        does with events that do not follow it.
      </p>
      <DataTable
        label="Tracking plans"
        columns={columns}
        rows={plans.data?.plans}
        rowKey={(p) => p.id}
        error={plans.error}
        empty="No tracking plans yet."
      />
    </>
  );
}
