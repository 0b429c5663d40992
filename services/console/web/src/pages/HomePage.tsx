import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import type { Workspace } from '../../../src/api/types';
import { api, ApiError } from '../api';
import { ErrorNotice, FormField } from '../components/FormField';
import { Loading } from '../components/Loading';
import { usePageTitle } from '../components/usePageTitle';
import { SignOutButton } from '../components/WorkspaceLayout';
import { useAuth } from '../session';

/** The user's workspaces; a user with exactly one goes straight to it. */
export function HomePage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const workspaces = useQuery({
    queryKey: ['workspaces'],
    queryFn: () => api.get<{ workspaces: Workspace[] }>('/api/v1/workspaces'),
    enabled: !!auth.data?.user,
  });
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<Workspace>('/api/v1/workspaces', { name, slug }),
    onSuccess: async (ws) => {
      await queryClient.invalidateQueries({ queryKey: ['workspaces'] });
      void navigate(`/${ws.slug}/sources`);
    },
  });
  usePageTitle('Workspaces');
  if (auth.isPending) return <Loading />;
  if (auth.data?.setupNeeded) return <Navigate to="/setup" replace />;
  if (!auth.data?.user) return <Navigate to="/signin" replace />;
  const list = workspaces.data?.workspaces;
  if (list && list.length === 1) return <Navigate to={`/${list[0]!.slug}/sources`} replace />;
  const error = create.error instanceof ApiError ? create.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <div className="centered-page wide">
      <div className="page-header">
        <h1>Your workspaces</h1>
        <div>
          <Link to="/account">{auth.data.user.email}</Link> · <SignOutButton />
        </div>
      </div>
      <ErrorNotice error={workspaces.error} />
      {workspaces.isPending ? <Loading what="your workspaces" /> : null}
      {list?.length === 0 ? <p className="muted">You are not a member of any workspace yet.</p> : null}

      <ul className="workspace-list">
        {list?.map((ws) => (
          <li key={ws.id}>
            <Link to={`/${ws.slug}/sources`}>{ws.name}</Link> <span className={`role role-${ws.role}`}>{ws.role}</span>
          </li>
        ))}
      </ul>
      <form className="card" onSubmit={submit}>
        <h2>New workspace</h2>
        <div className="row">
          <FormField label="Name" htmlFor="ws-name" error={error?.fieldMessage('name')}>
            <input id="ws-name" value={name} onChange={(e) => setName(e.target.value)} required />
          </FormField>
          <FormField label="Slug" htmlFor="ws-slug" error={error?.fieldMessage('slug')}>
            <input id="ws-slug" value={slug} onChange={(e) => setSlug(e.target.value)} required />
          </FormField>
        </div>
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
        <button className="primary" type="submit" disabled={create.isPending}>
          Create workspace
        </button>
      </form>
    </div>
  );
}
