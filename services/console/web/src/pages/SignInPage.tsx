import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, setCsrfToken } from '../api';
import { ErrorNotice, FormField, PasswordField } from '../components/FormField';
import { usePageTitle } from '../components/usePageTitle';
import type { AuthState } from '../../../src/api/types';
import { AUTH_QUERY_KEY, useAuth } from '../session';

/** Only same-site paths, so a crafted link cannot send a user elsewhere after signing in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignInPage() {
  const auth = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');

  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => api.post<AuthState>('/auth/signin', { email, password }),
    onSuccess: (state) => {
      setCsrfToken(state.csrfToken);
      queryClient.setQueryData(AUTH_QUERY_KEY, state);
      void navigate(safeNext(params.get('next')));
    },
  });
  if (auth.data?.setupNeeded) return <Navigate to="/setup" replace />;
  if (auth.data?.user && !signIn.isSuccess) return <Navigate to={safeNext(params.get('next'))} replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  const error = signIn.error instanceof ApiError ? signIn.error : undefined;
  return (
    <div className="centered-page">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Sign in to Manifold</h1>
        <FormField label="Email" htmlFor="email" error={error?.fieldMessage('email')}>
          <input
            id="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </FormField>
        <PasswordField
          id="password"
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={error?.fieldMessage('password')}
        />
        {error && error.fields.length === 0 ? <ErrorNotice error={error} /> : null}
        <button type="submit" className="primary" disabled={signIn.isPending}>
          Sign in
        </button>
      </form>
    </div>
  );
}
