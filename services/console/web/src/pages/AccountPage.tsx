import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';
import type { ApiToken } from '../../../src/api/types';
import { api, formatTime } from '../api';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { ErrorNotice, FormField } from '../components/FormField';
import { Loading } from '../components/Loading';
import { usePageTitle } from '../components/usePageTitle';
import { SignOutButton } from '../components/WorkspaceLayout';
import { useAuth } from '../session';

export function AccountPage() {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: () => api.get<{ tokens: ApiToken[] }>('/api/v1/me/tokens'),
    enabled: !!auth.data?.user,
  });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api.post<ApiToken & { token: string }>('/api/v1/me/tokens', { name }),
    onSuccess: async (data) => {
      setCreated(data.token);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/me/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
  usePageTitle('Account');
  if (auth.isPending) return <Loading />;

  if (!auth.data?.user) return <Navigate to="/signin?next=/account" replace />;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="centered-page wide">
      <div className="page-header">
        <h1>{auth.data.user.email}</h1>
        <div>
          <Link to="/">Workspaces</Link> · <SignOutButton />
        </div>
      </div>
      <section className="card" aria-label="API tokens">
        <h2>API tokens</h2>
        <p className="muted">
          Tokens act as you in the <a href="/api/openapi.json">Public API</a>, with your role in each workspace. Send{' '}
          <code>Authorization: Bearer &lt;token&gt;</code>.
        </p>
        {created ? (
          <div className="notice notice-success">
            Copy the token now; it is not shown again: <code data-testid="new-token">{created}</code>{' '}
            <CopyButton text={created} />
          </div>
        ) : null}
        <DataTable<ApiToken>
          compact
          rows={tokens.data?.tokens}
          error={tokens.error}
          rowKey={(t) => t.id}
          empty="No tokens yet."
          columns={[
            { id: 'name', header: 'Name', cell: (t) => t.name },
            { id: 'token', header: 'Token', cell: (t) => <code>{t.hint}…</code> },
            { id: 'created', header: 'Created', cell: (t) => formatTime(t.createdAt) },
            { id: 'used', header: 'Last used', cell: (t) => formatTime(t.lastUsedAt) },
            {
              id: 'actions',
              header: '',
              cell: (t) => (
                <button className="link-button" onClick={() => revoke.mutate(t.id)}>
                  Revoke
                </button>
              ),
            },
          ]}
        />
        <form className="row" onSubmit={submit}>
          <FormField label="New token name" htmlFor="token-name">
            <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required />
          </FormField>
          <button className="primary" type="submit" disabled={create.isPending}>
            Create token
          </button>
        </form>
        <ErrorNotice error={create.error ?? revoke.error} />
      </section>
    </div>
  );
}
