import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { IntegrationRequest } from '../../../src/api/types';
import { api, ApiError, formatTime, wsPath } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { Loading } from '../components/Loading';
import { usePageTitle } from '../components/usePageTitle';
import { useCanWrite, useWorkspace } from '../components/WorkspaceLayout';

export function RequestsPage() {
  const workspace = useWorkspace();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const path = wsPath(workspace.slug, 'integration-requests');
  const requests = useQuery({
    queryKey: ['requests', path],
    queryFn: () => api.get<{ requests: IntegrationRequest[]; counts: Array<{ name: string; count: number }> }>(path),
  });
  const empty = { name: '', website: '', useCase: '' };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () => api.post<IntegrationRequest>(path, form),
    onSuccess: async () => {
      setForm(empty);
      await queryClient.invalidateQueries({ queryKey: ['requests', path] });
    },
  });
  usePageTitle('Integration requests', workspace.name);
  const error = create.error instanceof ApiError ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <>
      <div className="page-header">
        <h1>Integration requests</h1>
      </div>
      {canWrite ? (
        <form className="card" onSubmit={submit} aria-label="Request an integration">
          <h2>Request an integration</h2>
          <div className="row">
            <FormField label="Tool" htmlFor="request-name" error={error?.fieldMessage('name')}>
              <input
                id="request-name"
                value={form.name}
                onChange={(e) => setForm({ ...form, name: e.target.value })}
                required
              />
            </FormField>
            <FormField label="Website" htmlFor="request-website" error={error?.fieldMessage('website')}>
              <input
                id="request-website"
                type="url"
                value={form.website}
                onChange={(e) => setForm({ ...form, website: e.target.value })}
              />
            </FormField>
          </div>
          <FormField
            label="What would you use it for?"
            htmlFor="request-use-case"
            error={error?.fieldMessage('useCase')}
          >
            <textarea
              id="request-use-case"
              rows={3}
              value={form.useCase}
              onChange={(e) => setForm({ ...form, useCase: e.target.value })}
            />
          </FormField>
          {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
          <button className="primary" type="submit" disabled={create.isPending}>
            Send request
          </button>
          {create.isSuccess ? <span className="muted"> Thanks, request recorded.</span> : null}
        </form>
      ) : null}
      <ErrorNotice error={requests.error} />
      <div className="grid-2">
        <section className="card" aria-label="Most requested">
          <h2>Most requested</h2>
          {requests.isPending ? <Loading /> : null}
          {requests.data?.counts.length === 0 ? <p className="muted">Nothing requested yet.</p> : null}
          <ul>
            {requests.data?.counts.map((c) => (
              <li key={c.name}>
                {c.name} <span className="muted">({c.count})</span>
              </li>
            ))}
          </ul>
        </section>
        <section className="card" aria-label="Requests">
          <h2>Requests</h2>
          {requests.isPending ? <Loading /> : null}
          {requests.data?.requests.length === 0 ? <p className="muted">No requests yet.</p> : null}

          <ul className="request-list">
            {requests.data?.requests.map((r) => (
              <li key={r.id}>
                <strong>{r.name}</strong> {r.website ? <a href={r.website}>{r.website}</a> : null}
                <p>{r.useCase}</p>
                <span className="muted">
                  {r.requestedBy} · {formatTime(r.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
