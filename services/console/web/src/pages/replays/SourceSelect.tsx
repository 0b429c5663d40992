import { useQuery } from '@tanstack/react-query';
import type { Source } from '../../../../src/api/types';
import { api, wsPath } from '../../api';
import { FormField } from '../../components/FormField';
import { useWorkspace } from '../../components/WorkspaceLayout';

/** A replay form's choice of one of the workspace's sources, with the server's message for it. */
export function SourceSelect(props: {
  id: string;
  value: string;
  onChange(source: string): void;
  error: string | undefined;
}) {
  const workspace = useWorkspace();
  // The same query (and cache entry) as the other pages that list every source.
  const sources = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'sources'), 'all'],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace.slug, 'sources')}?page_size=500&sort=name`),
  });
  return (
    <FormField label="Source" htmlFor={props.id} error={props.error}>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Choose a source…</option>
        {sources.data?.sources.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </FormField>
  );
}
