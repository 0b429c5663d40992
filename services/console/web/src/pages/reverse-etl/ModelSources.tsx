import { Link } from 'react-router';
import { useWorkspace } from '../../components/WorkspaceLayout';
import { scheduleText, useModels } from './ReverseEtlPage';

/** The Sources page's Reverse ETL part: each model is a source of category "Reverse ETL". */
export function ModelSources() {
  const workspace = useWorkspace();
  const models = useModels(workspace.slug);
  const list = models.data?.models ?? [];
  if (list.length === 0) return null;
  return (
    <section aria-label="Reverse ETL sources">
      <h2>Warehouse models</h2>
      <table className="data-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Category</th>
            <th>Schedule</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr key={m.id}>
              <td data-label="Name">
                <Link to={`/${workspace.slug}/reverse-etl/${m.id}`}>{m.name}</Link>
              </td>
              <td data-label="Category">Reverse ETL</td>
              <td data-label="Schedule">{scheduleText(m)}</td>
              <td data-label="Status">{m.enabled ? 'enabled' : 'disabled'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
