import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { api, ApiError, setCsrfToken } from '../api';
import { ErrorNotice, FormField, PasswordField } from '../components/FormField';
import { usePageTitle } from '../components/usePageTitle';
import type { AdoptableWorkspace, AuthState } from '../../../src/api/types';
import { AUTH_QUERY_KEY, useAuth } from '../session';

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Where the operator finds the setup token, shown under its field. */
const SETUP_TOKEN_HINT =
  "Whoever deployed Manifold has it: the console's CONSOLE_SETUP_TOKEN. On Kubernetes it is in the console's Secret; helm install's notes print the kubectl command that reads it.";

/**
 * First run: the first owner's account, with a new workspace and/or the workspaces made outside
 * the console (by `pnpm start` or `manifold apply`), which they take over. When the console has a
 * setup token, the form asks for it first and then shows the workspaces it may take over.
 */
export function SetupPage() {
  usePageTitle('Set up');
  const auth = useAuth();

  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', password: '', workspaceName: '', workspaceSlug: '' });
  const [setupToken, setSetupToken] = useState('');
  // Unticked slugs; everything offered is taken over unless the user unticks it.
  const [skipped, setSkipped] = useState<string[]>([]);
  const tokenRequired = auth.data?.setupTokenRequired === true;
  // With a setup token, the workspaces to take over are listed once the token is accepted.
  const unlock = useMutation({
    mutationFn: () => api.post<{ adoptable: AdoptableWorkspace[] }>('/auth/setup/adoptable', { setupToken }),
  });
  const unlocked = !tokenRequired || unlock.isSuccess;
  const adoptable = (tokenRequired ? unlock.data?.adoptable : auth.data?.adoptable) ?? [];
  const adopt = adoptable.map((w) => w.slug).filter((slug) => !skipped.includes(slug));
  const setup = useMutation({
    mutationFn: () =>
      api.post<AuthState & { workspace: string }>('/auth/setup', {
        ...form,
        adopt,
        ...(tokenRequired ? { setupToken } : {}),
      }),
    onSuccess: (state) => {
      setCsrfToken(state.csrfToken);
      void navigate(`/${state.workspace}/sources`);
      queryClient.setQueryData(AUTH_QUERY_KEY, { setupNeeded: false, user: state.user, csrfToken: state.csrfToken });
    },
  });
  if (auth.data && !auth.data.setupNeeded) return <Navigate to={auth.data.user ? '/' : '/signin'} replace />;
  const error = setup.error instanceof ApiError ? setup.error : undefined;
  const unlockError = unlock.error instanceof ApiError ? unlock.error : undefined;
  const tokenError = error?.fieldMessage('setupToken') ?? unlockError?.fieldMessage('setupToken');
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (unlocked) setup.mutate();
    else unlock.mutate();
  };
  const tokenField = tokenRequired ? (
    <FormField
      label="Setup token"
      htmlFor="setupToken"
      error={tokenError}
      // Where to find it, until it is accepted.
      {...(unlocked ? {} : { hint: SETUP_TOKEN_HINT })}
    >
      <input
        id="setupToken"
        type="password"
        autoComplete="off"
        value={setupToken}
        onChange={(e) => {
          setSetupToken(e.target.value);
          // Another token: the list shown was the old one's; ask again.
          if (unlock.isSuccess || unlock.isError) unlock.reset();
          if (setup.isError) setup.reset();
        }}
        aria-invalid={tokenError ? true : undefined}
        aria-describedby={tokenError ? 'setupToken-error' : undefined}
        required
      />
    </FormField>
  ) : null;
  if (!unlocked) {
    return (
      <div className="centered-page">
        <form className="card auth-card" onSubmit={submit}>
          <h1>Welcome to Manifold</h1>
          <p className="muted">
            This console is not set up yet. Enter its setup token to create the first owner account.
          </p>
          {tokenField}
          {unlockError && !tokenError ? <ErrorNotice error={unlockError} /> : null}
          <button type="submit" className="primary" disabled={unlock.isPending}>
            Continue
          </button>
        </form>
      </div>
    );
  }
  const newWorkspaceRequired = adoptable.length === 0;
  return (
    <div className="centered-page">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Welcome to Manifold</h1>
        <p className="muted">
          {newWorkspaceRequired
            ? 'Create the first owner account and workspace.'
            : 'Create the first owner account. You become the owner of the workspaces already set up here.'}
        </p>
        {tokenField}
        <FormField label="Your email" htmlFor="email" error={error?.fieldMessage('email')}>
          <input id="email" type="email" autoComplete="username" value={form.email} onChange={set('email')} required />
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
        {adoptable.length > 0 ? (
          <fieldset aria-label="Existing workspaces">
            <legend>Existing workspaces</legend>
            <p className="hint">Made outside the console, for example by pnpm start. Take over:</p>
            {adoptable.map((workspace) => (
              <label key={workspace.slug} className="check-line">
                <input
                  type="checkbox"
                  name={`adopt-${workspace.slug}`}
                  checked={!skipped.includes(workspace.slug)}
                  onChange={(e) =>
                    setSkipped(
                      e.target.checked ? skipped.filter((s) => s !== workspace.slug) : [...skipped, workspace.slug],
                    )
                  }
                />
                {workspace.name} <span className="muted">({workspace.slug})</span>
              </label>
            ))}
            {error?.fieldMessage('adopt') ? <div className="field-error">{error.fieldMessage('adopt')}</div> : null}
          </fieldset>
        ) : null}
        <FormField
          label={newWorkspaceRequired ? 'Workspace name' : 'New workspace (optional)'}
          htmlFor="workspaceName"
          error={error?.fieldMessage('workspaceName')}
        >
          <input
            id="workspaceName"
            value={form.workspaceName}
            onChange={(e) => setForm({ ...form, workspaceName: e.target.value, workspaceSlug: slugOf(e.target.value) })}
            required={newWorkspaceRequired}
          />
        </FormField>
        {newWorkspaceRequired || form.workspaceName ? (
          <FormField
            label="Workspace slug"
            htmlFor="workspaceSlug"
            error={error?.fieldMessage('workspaceSlug')}
            hint="Used in URLs"
          >
            <input id="workspaceSlug" value={form.workspaceSlug} onChange={set('workspaceSlug')} required />
          </FormField>
        ) : null}
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="primary" disabled={setup.isPending}>
          {newWorkspaceRequired ? 'Create owner and workspace' : 'Create owner account'}
        </button>
      </form>
    </div>
  );
}
