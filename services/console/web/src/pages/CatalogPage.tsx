import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { CatalogEntry, Destination, Source } from '../../../src/api/types';
import { api, ApiError, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { Loading } from '../components/Loading';
import { defaultSettings, SchemaForm, type SettingsFormSchema, type SettingsValues } from '../components/SchemaForm';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

function AddDestinationForm({ entry, onCancel }: { entry: CatalogEntry; onCancel(): void }) {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const schema = entry.settingsSchema as SettingsFormSchema;
  const [name, setName] = useState(entry.name);
  const [settings, setSettings] = useState<SettingsValues>(() => defaultSettings(schema));
  const [sources, setSources] = useState<string[]>([]);
  const [syncInterval, setSyncInterval] = useState(3600);
  const allSources = useQuery({
    queryKey: ['list', wsPath(workspace.slug, 'sources'), 'all'],
    queryFn: () => api.get<{ sources: Source[] }>(`${wsPath(workspace.slug, 'sources')}?page_size=500&sort=name`),
  });
  const create = useMutation({
    mutationFn: () =>
      api.post<Destination>(wsPath(workspace.slug, 'destinations'), {
        name,
        catalogId: entry.id,
        settings,
        sources,
        ...(entry.warehouse ? { syncIntervalSeconds: syncInterval } : {}),
      }),
    onSuccess: async (destination) => {
      await queryClient.invalidateQueries({ queryKey: ['list'] });
      void navigate(`/${workspace.slug}/${destination.warehouse ? 'warehouses' : 'destinations'}/${destination.id}`);
    },
  });
  const error = create.error instanceof ApiError ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="card add-destination" onSubmit={submit} aria-label={`Add ${entry.name}`} noValidate>
      <h2>Add {entry.name}</h2>
      <p className="muted">{entry.description}</p>
      <FormField label="Name" htmlFor="destination-name" error={error?.fieldMessage('name')}>
        <input id="destination-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </FormField>
      <fieldset>
        <legend>Sources</legend>
        {allSources.isPending ? <Loading what="sources" /> : null}
        {allSources.data?.sources.length === 0 ? <p className="muted">No sources yet.</p> : null}
        {allSources.data?.sources.map((source) => (
          <label key={source.id} className="inline-check">
            <input
              type="checkbox"
              name={`source-${source.slug}`}
              checked={sources.includes(source.id)}
              onChange={(e) =>
                setSources(e.target.checked ? [...sources, source.id] : sources.filter((s) => s !== source.id))
              }
            />
            {source.name}
          </label>
        ))}
        {error?.fieldMessage('sources') ? <div className="field-error">{error.fieldMessage('sources')}</div> : null}
      </fieldset>
      {entry.warehouse ? (
        <FormField
          label="Sync interval (seconds)"
          htmlFor="sync-interval"
          error={error?.fieldMessage('syncIntervalSeconds')}
        >
          <input
            id="sync-interval"
            type="number"
            min={60}
            value={syncInterval}
            onChange={(e) => setSyncInterval(Number(e.target.value))}
          />
        </FormField>
      ) : null}
      <h3>Settings</h3>
      <SchemaForm
        idPrefix="setting"
        schema={schema}
        secrets={entry.secrets}
        values={settings}
        onChange={setSettings}
        errorFor={(field) => error?.fieldMessage(`settings.${field}`)}
      />
      {error ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Save destination
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function CatalogPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const category = params.get('category') ?? '';
  const adding = params.get('add');
  const catalog = useQuery({
    queryKey: ['catalog', workspace.slug, search, category],
    queryFn: () =>
      api.get<{ entries: CatalogEntry[]; categories: Record<string, number> }>(
        `${wsPath(workspace.slug, 'catalog')}?${new URLSearchParams({ search, category }).toString()}`,
      ),
    // Keep showing the last results while the next search runs.
    placeholderData: keepPreviousData,
  });
  const allCategories = useQuery({
    queryKey: ['catalog', workspace.slug, 'categories'],
    queryFn: () => api.get<{ categories: Record<string, number> }>(wsPath(workspace.slug, 'catalog')),
  });
  const entry = useQuery({
    queryKey: ['catalog-entry', workspace.slug, adding],
    queryFn: () => api.get<CatalogEntry>(wsPath(workspace.slug, 'catalog', adding ?? '')),
    enabled: !!adding,
  });
  usePageTitle(adding ? `Add ${entry.data?.name ?? 'a destination'}` : undefined, 'Catalog', workspace.name);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  if (adding && entry.data)
    return <AddDestinationForm key={adding} entry={entry.data} onCancel={() => update({ add: '' })} />;
  return (
    <>
      <div className="page-header">
        <h1>Catalog</h1>
        <Link to={`/${workspace.slug}/requests`}>Missing something? Request an integration</Link>
      </div>
      <div className="catalog">
        <aside className="catalog-categories" aria-label="Categories">
          <button className={category === '' ? 'active' : ''} onClick={() => update({ category: '' })}>
            All
          </button>
          {Object.entries(allCategories.data?.categories ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, count]) => (
              <button
                key={name}
                className={category === name ? 'active' : ''}
                onClick={() => update({ category: name })}
              >
                {name} <span className="muted">{count}</span>
              </button>
            ))}
        </aside>
        <div className="catalog-main">
          <input
            type="search"
            className="catalog-search"
            placeholder="Search destinations"
            aria-label="Search the catalog"
            value={search}
            onChange={(e) => update({ search: e.target.value })}
          />
          <ErrorNotice error={catalog.error} />
          {catalog.isPending ? <Loading what="the catalog" /> : null}

          <div className="catalog-grid">
            {catalog.data?.entries.map((e) => (
              <article key={e.id} className="card catalog-entry" data-entry={e.id}>
                <h3>{e.name}</h3>
                <p className="muted">{e.description}</p>
                <div className="tags">
                  {e.categories.map((c) => (
                    <span key={c} className="tag">
                      {c}
                    </span>
                  ))}
                </div>
                {canWrite ? (
                  <button className="primary" onClick={() => update({ add: e.id })}>
                    Add {e.warehouse ? 'warehouse' : 'destination'}
                  </button>
                ) : null}
              </article>
            ))}
            {catalog.data?.entries.length === 0 ? <p className="muted">Nothing matches.</p> : null}
          </div>
        </div>
      </div>
    </>
  );
}
