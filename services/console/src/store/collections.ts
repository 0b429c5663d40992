import type { Collection, Db } from 'mongodb';

export interface AccountDocument {
  email: string;
  passwordHash: string;
  createdAt: Date;
}

export interface SessionDocument {
  idHash: string;
  email: string;
  csrfToken: string;
  createdAt: Date;
  /** Checked on every read: FerretDB has no TTL indexes. */
  expiresAt: Date;
}

export interface ApiTokenDocument {
  id: string;
  tokenHash: string;
  email: string;
  name: string;
  /** The first characters of the token, to tell tokens apart in the list. */
  hint: string;
  createdAt: Date;
  lastUsedAt?: Date;
}

export interface ColumnPreferenceDocument {
  email: string;
  page: string;
  columns: string[];
  updatedAt: Date;
}

/** One document, inserted by the first-run setup: a unique key makes a second setup fail. */
export interface FirstRunDocument {
  key: 'first-owner';
  email: string;
  at: Date;
}

export interface ConsoleCollections {
  firstRun: Collection<FirstRunDocument>;
  accounts: Collection<AccountDocument>;
  sessions: Collection<SessionDocument>;
  apiTokens: Collection<ApiTokenDocument>;
  columnPreferences: Collection<ColumnPreferenceDocument>;
}

export async function openCollections(db: Db): Promise<ConsoleCollections> {
  const collections: ConsoleCollections = {
    firstRun: db.collection('first_run'),
    accounts: db.collection('accounts'),
    sessions: db.collection('sessions'),
    apiTokens: db.collection('api_tokens'),
    columnPreferences: db.collection('column_preferences'),
  };
  await collections.firstRun.createIndex({ key: 1 }, { unique: true, name: 'key_unique' });
  await collections.accounts.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  await collections.sessions.createIndex({ idHash: 1 }, { unique: true, name: 'id_unique' });
  await collections.apiTokens.createIndex({ tokenHash: 1 }, { unique: true, name: 'token_unique' });
  await collections.apiTokens.createIndex({ id: 1 }, { unique: true, name: 'id_unique' });
  await collections.columnPreferences.createIndex({ email: 1, page: 1 }, { unique: true, name: 'email_page_unique' });
  return collections;
}
