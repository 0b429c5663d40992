import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { api, ApiError, setCsrfToken } from '../api';
import { ErrorNotice, FormField, PasswordField } from '../components/FormField';
import { AUTH_QUERY_KEY, useAuth, type AuthState } from '../session';

/** First run: the first owner's account and the first workspace. */
export function SetupPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', password: '', workspaceName: '', workspaceSlug: '' });
  const setup = useMutation({
    mutationFn: () => api.post<AuthState & { workspace: string }>('/auth/setup', form),
    onSuccess: (state) => {
      setCsrfToken(state.csrfToken);
      void navigate(`/${state.workspace}/sources`);
      queryClient.setQueryData(AUTH_QUERY_KEY, { setupNeeded: false, user: state.user, csrfToken: state.csrfToken });
    },
  });
  if (auth.data && !auth.data.setupNeeded) return <Navigate to={auth.data.user ? '/' : '/signin'} replace />;
  const error = setup.error instanceof ApiError ? setup.error : undefined;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setup.mutate();
  };
  return (
    <div className="centered-page">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Welcome to Manifold</h1>
        <p className="muted">Create the first owner account and workspace.</p>
        <FormField label="Your email" htmlFor="email" error={error?.fieldMessage('email')}>
          <input id="email" type="email" value={form.email} onChange={set('email')} required />
        </FormField>
        <PasswordField
          id="password"
          label="Password"
          autoComplete="new-password"
          value={form.password}
          onChange={(password) => setForm({ ...form, password })}
          error={error?.fieldMessage('password')}
          hint="At least 10 characters"
        />
        <FormField label="Workspace name" htmlFor="workspaceName" error={error?.fieldMessage('workspaceName')}>
          <input
            id="workspaceName"
            value={form.workspaceName}
            onChange={(e) =>
              setForm({
                ...form,
                workspaceName: e.target.value,
                workspaceSlug: e.target.value
                  .toLowerCase()
                  .replace(/[^a-z0-9]+/g, '-')
                  .replace(/^-|-$/g, ''),
              })
            }
            required
          />
        </FormField>
        <FormField
          label="Workspace slug"
          htmlFor="workspaceSlug"
          error={error?.fieldMessage('workspaceSlug')}
          hint="Used in URLs"
        >
          <input id="workspaceSlug" value={form.workspaceSlug} onChange={set('workspaceSlug')} required />
        </FormField>
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="primary" disabled={setup.isPending}>
          Create owner and workspace
        </button>
      </form>
    </div>
  );
}
