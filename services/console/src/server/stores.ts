import type { Db } from 'mongodb';
import { AccountStore } from '../store/accounts';
import { ApiTokenStore } from '../store/api-tokens';
import { openCollections } from '../store/collections';
import { ColumnPreferenceStore } from '../store/column-preferences';
import { InvitationStore } from '../store/invitations';
import { SessionStore } from '../store/sessions';
import { SignInFailureStore, type LockoutPolicy } from '../store/sign-in-failures';

export interface ConsoleStores {
  accounts: AccountStore;
  sessions: SessionStore;
  apiTokens: ApiTokenStore;
  columnPreferences: ColumnPreferenceStore;
  invitations: InvitationStore;
  signInFailures: SignInFailureStore;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 10, lockMs: 15 * 60 * 1000 };

export async function openStores(
  db: Db,
  options: { sessionTtlMs: number; lockout?: LockoutPolicy },
): Promise<ConsoleStores> {
  const collections = await openCollections(db);
  return {
    accounts: new AccountStore(collections),
    sessions: new SessionStore(collections, options.sessionTtlMs),
    apiTokens: new ApiTokenStore(collections),
    columnPreferences: new ColumnPreferenceStore(collections),
    invitations: new InvitationStore(collections),
    signInFailures: new SignInFailureStore(collections, options.lockout ?? DEFAULT_LOCKOUT),
  };
}
