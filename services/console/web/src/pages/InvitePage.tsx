import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import type { InvitationDetails } from '../../../src/api/types';
import { api, ApiError, formatTime, setCsrfToken } from '../api';
import { ErrorNotice, PasswordField } from '../components/FormField';
import { usePageTitle } from '../components/usePageTitle';
import type { AuthState } from '../../../src/api/types';
import { AUTH_QUERY_KEY, useAuth } from '../session';

type Accepted = AuthState & { workspace: string };

/**
 * Where an invitation link leads (/invite#<token>). Someone new chooses their password here;
 * someone with an account signs in to accept. The token stays in the fragment and request bodies.
 */
export function InvitePage() {
  usePageTitle('Invitation');
  const token = useLocation().hash.replace(/^#/, '');

  const auth = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const details = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.post<InvitationDetails>('/auth/invitations/lookup', { token }),
    enabled: token !== '',
    retry: false,
  });
  const joined = (state: Accepted) => {
    setCsrfToken(state.csrfToken);
    queryClient.setQueryData(AUTH_QUERY_KEY, { setupNeeded: false, user: state.user, csrfToken: state.csrfToken });
    void queryClient.invalidateQueries({ queryKey: ['workspaces'] });
    void navigate(`/${state.workspace}/sources`);
  };
  const accept = useMutation({
    mutationFn: (withPassword: boolean) =>
      api.post<Accepted>('/auth/invitations/accept', withPassword ? { token, password } : { token }),
    onSuccess: joined,
  });
  const signInAndAccept = useMutation({
    mutationFn: async (email: string) => {
      const state = await api.post<AuthState>('/auth/signin', { email, password });
      setCsrfToken(state.csrfToken);
      return api.post<Accepted>('/auth/invitations/accept', { token });
    },
    onSuccess: joined,
  });
  const signOut = useMutation({
    mutationFn: () => api.post('/auth/signout'),
    onSuccess: () => {
      setCsrfToken(null);
      queryClient.setQueryData(AUTH_QUERY_KEY, { setupNeeded: false, user: null, csrfToken: null });
    },
  });

  if (!token)
    return <Message title="No invitation here">This link has no invitation in it: copy the whole link.</Message>;
  if (details.error) {
    return (
      <Message title="This invitation cannot be used">
        <ErrorNotice error={details.error} />
      </Message>
    );
  }
  if (!details.data || auth.isPending) return <p className="loading">Loading…</p>;
  const invitation = details.data;
  const user = auth.data?.user ?? null;
  const error = [accept.error, signInAndAccept.error].find((e) => e instanceof ApiError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (user) return accept.mutate(false);
    if (invitation.accountExists) return signInAndAccept.mutate(invitation.email);
    setMismatch(password !== confirm);
    if (password === confirm) accept.mutate(true);
  };
  const pending = accept.isPending || signInAndAccept.isPending;
  return (
    <div className="centered-page">
      <form className="card auth-card" onSubmit={submit} aria-label="Invitation">
        <h1>Join {invitation.workspace.name}</h1>
        <p data-testid="invitation-summary">
          {invitation.invitedBy} invited <strong>{invitation.email}</strong> as {invitation.role}. The link works once,
          until {formatTime(invitation.expiresAt)}.
        </p>
        {user && user.email !== invitation.email ? (
          <>
            <div className="notice notice-warning" role="alert">
              You are signed in as {user.email}. Sign out, then open the link again to accept it as {invitation.email}.
            </div>
            <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
              Sign out
            </button>
          </>
        ) : user ? (
          <button type="submit" className="primary" disabled={pending}>
            Accept invitation
          </button>
        ) : invitation.accountExists ? (
          <>
            <p className="muted">You have an account: sign in to accept.</p>
            <PasswordField
              id="password"
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
            />
            <button type="submit" className="primary" disabled={pending}>
              Sign in and accept
            </button>
          </>
        ) : (
          <>
            <p className="muted">Choose the password of your new account.</p>
            <PasswordField
              id="password"
              label="Password"
              autoComplete="new-password"
              value={password}
              onChange={setPassword}
              error={error?.fieldMessage('password')}
              hint="At least 10 characters"
            />
            <PasswordField
              id="password-confirm"
              label="Password again"
              autoComplete="new-password"
              value={confirm}
              onChange={setConfirm}
              error={mismatch ? 'the two passwords differ' : undefined}
            />
            <button type="submit" className="primary" disabled={pending}>
              Create account and join
            </button>
          </>
        )}
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
      </form>
    </div>
  );
}

function Message({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="centered-page">
      <h1>{title}</h1>
      {children}
      <p>
        <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}
