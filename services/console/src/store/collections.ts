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

export interface InvitationDocument {
  id: string;
  /** The link's token is mailed or shown once; only its SHA-256 is kept. */
  tokenHash: string;
  workspaceId: string;
  /** Normalized (trimmed, lowercase). */
  email: string;
  role: string;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the link is used (after its claim is made); a link works once. */
  acceptedAt: Date | null;
}

/**
 * A claim on an invitation, keyed by its id: inserting a unique _id is the one write that is atomic
 * in MongoDB and FerretDB alike (FerretDB's findOneAndUpdate is not), so only one use can win.
 */
export interface InvitationClaimDocument {
  _id: string;
  at: Date;
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
  invitations: Collection<InvitationDocument>;
  invitationClaims: Collection<InvitationClaimDocument>;
}

export async function openCollections(db: Db): Promise<ConsoleCollections> {
  const collections: ConsoleCollections = {
    firstRun: db.collection('first_run'),
    accounts: db.collection('accounts'),
    sessions: db.collection('sessions'),
    apiTokens: db.collection('api_tokens'),
    columnPreferences: db.collection('column_preferences'),
    invitations: db.collection('invitations'),
    invitationClaims: db.collection('invitation_claims'),
  };
  await collections.firstRun.createIndex({ key: 1 }, { unique: true, name: 'key_unique' });
  await collections.accounts.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  await collections.sessions.createIndex({ idHash: 1 }, { unique: true, name: 'id_unique' });
  await collections.apiTokens.createIndex({ tokenHash: 1 }, { unique: true, name: 'token_unique' });
  await collections.apiTokens.createIndex({ id: 1 }, { unique: true, name: 'id_unique' });
  await collections.columnPreferences.createIndex({ email: 1, page: 1 }, { unique: true, name: 'email_page_unique' });
  await collections.invitations.createIndex({ tokenHash: 1 }, { unique: true, name: 'token_unique' });
  await collections.invitations.createIndex({ id: 1 }, { unique: true, name: 'id_unique' });
  await collections.invitations.createIndex({ workspaceId: 1, email: 1 }, { name: 'workspace_email' });
  return collections;
}
