import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Source } from '../../../src/api/types';
import { api, ApiError, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { PropertyTable } from '../components/PropertyTable';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';
import { GenericWebhookMapping } from './sources/GenericWebhookMapping';
import { genericMapping, NEW_GENERIC_MAPPING } from './sources/generic-webhook-mapping';

export function sourceValues(source: Source, field: string): string[] {
  switch (field) {
    case 'status':
      return [source.enabled ? 'enabled' : 'disabled'];
    case 'environment':
      // Reverse ETL models belong to no environment.
      return source.environment ? [source.environment] : [];
    case 'destinations':
      return source.destinationNames;
    case 'type':
      return [source.type];
    case 'category':
      return [source.category];
    case 'created_at':
      return source.createdAt ? [source.createdAt] : [];
    case 'created_by':
      return source.createdBy ? [source.createdBy] : [];
    default:
      return [];
  }
}

/** The type the REST list gives Reverse ETL models, listed here as sources (`include_models`). */
export const MODEL_SOURCE_TYPE = 'reverse-etl';

const SOURCE_TYPES: Array<[string, string]> = [
  ['javascript', 'website'],
  ['node', 'server'],
  ['python', 'server'],
  ['go', 'server'],
  ['java', 'server'],
  ['http', 'server'],
  ['ios', 'mobile'],
  ['android', 'mobile'],
  ['webhook', 'cloud app'],
];

/** The apps a webhook source can be made for (a generic one with its mapping: GenericWebhookMapping). */
const WEBHOOK_APPS: Array<[string, string]> = [
  ['stripe', 'Stripe'],
  ['github', 'GitHub'],
  ['shopify', 'Shopify'],
  ['generic', 'Generic (your own JSON)'],
];

function NewSourceForm({ onDone }: { onDone(): void }) {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', slug: '', environment: 'prod', type: 'javascript' });
  const [webhook, setWebhook] = useState({ kind: 'stripe', signingSecret: '' });
  const [generic, setGeneric] = useState(NEW_GENERIC_MAPPING);
  const built = genericMapping(generic);
  const create = useMutation({
    mutationFn: () =>
      api.post<Source>(wsPath(workspace.slug, 'sources'), {
        ...form,
        category: SOURCE_TYPES.find(([t]) => t === form.type)?.[1] ?? 'server',
        ...(form.type === 'webhook'
          ? {
              webhook: {
                kind: webhook.kind,
                ...(webhook.signingSecret ? { signingSecret: webhook.signingSecret } : {}),
                ...(webhook.kind === 'generic' && 'mapping' in built ? { mapping: built.mapping } : {}),
              },
            }
          : {}),
      }),
    onSuccess: async (source) => {
      await queryClient.invalidateQueries({ queryKey: ['list'] });
      onDone();
      void navigate(`/${workspace.slug}/sources/${source.slug}`);
    },
  });
  const error = create.error instanceof ApiError ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="card" onSubmit={submit} aria-label="New source">
      <h2>New source</h2>
      <div className="row">
        <FormField label="Name" htmlFor="source-name" error={error?.fieldMessage('name')}>
          <input
            id="source-name"
            value={form.name}
            onChange={(e) =>
              setForm({
                ...form,
                name: e.target.value,
                slug: e.target.value
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '-')
                  .replace(/^-|-$/g, ''),
              })
            }
            required
          />
        </FormField>
        <FormField label="Slug" htmlFor="source-slug" error={error?.fieldMessage('slug')}>
          <input
            id="source-slug"
            value={form.slug}
            onChange={(e) => setForm({ ...form, slug: e.target.value })}
            required
          />
        </FormField>
        <FormField label="Environment" htmlFor="source-environment" error={error?.fieldMessage('environment')}>
          <select
            id="source-environment"
            value={form.environment}
            onChange={(e) => setForm({ ...form, environment: e.target.value })}
          >
            <option value="prod">prod</option>
            <option value="dev">dev</option>
            <option value="staging">staging</option>
          </select>
        </FormField>
        <FormField label="Type" htmlFor="source-type" error={error?.fieldMessage('type')}>
          <select id="source-type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            {SOURCE_TYPES.map(([type]) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </FormField>
        {form.type === 'webhook' ? (
          <>
            <FormField label="App" htmlFor="source-webhook-kind" error={error?.fieldMessage('webhook.kind')}>
              <select
                id="source-webhook-kind"
                value={webhook.kind}
                onChange={(e) => setWebhook({ ...webhook, kind: e.target.value })}
              >
                {WEBHOOK_APPS.map(([kind, name]) => (
                  <option key={kind} value={kind}>
                    {name}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label="Signing secret"
              htmlFor="source-signing-secret"
              error={error?.fieldMessage('webhook.signing_secret')}
            >
              <input
                id="source-signing-secret"
                type="password"
                autoComplete="off"
                placeholder="from the app's webhook settings"
                value={webhook.signingSecret}
                onChange={(e) => setWebhook({ ...webhook, signingSecret: e.target.value })}
              />
            </FormField>
          </>
        ) : null}
      </div>
      {form.type === 'webhook' && webhook.kind === 'generic' ? (
        <GenericWebhookMapping value={generic} onChange={setGeneric} fieldError={(f) => error?.fieldMessage(f)} />
      ) : null}
      {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={create.isPending || (form.type === 'webhook' && webhook.kind === 'generic' && 'error' in built)}
        >
          Create source
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function SourcesPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const [adding, setAdding] = useState(false);
  usePageTitle('Sources', workspace.name);
  return (
    <>
      <div className="page-header">
        <h1>Sources</h1>
        {canWrite && !adding ? (
          <button className="primary" onClick={() => setAdding(true)}>
            Add source
          </button>
        ) : null}
      </div>
      {adding ? <NewSourceForm onDone={() => setAdding(false)} /> : null}
      <PropertyTable<Source>
        page="sources"
        noun="sources"
        listPath={wsPath(workspace.slug, 'sources')}
        fixedQuery={{ include_models: 'true' }}
        rowsOf={(response) => (response as { sources: Source[] }).sources}
        rowKey={(source) => source.id}
        nameCell={(source) =>
          source.type === MODEL_SOURCE_TYPE ? (
            <Link to={`/${workspace.slug}/reverse-etl/${source.id}`}>{source.name}</Link>
          ) : (
            <Link to={`/${workspace.slug}/sources/${source.slug}`}>{source.name}</Link>
          )
        }
        valuesOf={sourceValues}
        emptyText="No sources yet: add one to get its write key and snippet, or make a Reverse ETL model."
      />
    </>
  );
}
