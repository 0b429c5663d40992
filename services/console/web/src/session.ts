import { useQuery } from '@tanstack/react-query';
import type { AuthState } from '../../src/api/types';
import { api, setCsrfToken } from './api';

export const AUTH_QUERY_KEY = ['auth'] as const;

export async function fetchAuthState(): Promise<AuthState> {
  const state = await api.get<AuthState>('/auth/state');
  setCsrfToken(state.csrfToken);
  return state;
}

export function useAuth() {
  return useQuery({ queryKey: AUTH_QUERY_KEY, queryFn: fetchAuthState, staleTime: 60_000 });
}

export function useConsoleConfig() {
  return useQuery({
    queryKey: ['console-config'],
    queryFn: () => api.get<{ ingestionPublicUrl: string }>('/api/v1/config'),
    staleTime: Infinity,
  });
}
