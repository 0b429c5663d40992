import type { Db } from 'mongodb';
import { AccountStore } from '../store/accounts';
import { ApiTokenStore } from '../store/api-tokens';
import { openCollections } from '../store/collections';
import { ColumnPreferenceStore } from '../store/column-preferences';
import { InvitationStore } from '../store/invitations';
import { SessionStore } from '../store/sessions';

export interface ConsoleStores {
  accounts: AccountStore;
  sessions: SessionStore;
  apiTokens: ApiTokenStore;
  columnPreferences: ColumnPreferenceStore;
  invitations: InvitationStore;
}

export async function openStores(db: Db, options: { sessionTtlMs: number }): Promise<ConsoleStores> {
  const collections = await openCollections(db);
  return {
    accounts: new AccountStore(collections),
    sessions: new SessionStore(collections, options.sessionTtlMs),
    apiTokens: new ApiTokenStore(collections),
    columnPreferences: new ColumnPreferenceStore(collections),
    invitations: new InvitationStore(collections),
  };
}
