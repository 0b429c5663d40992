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

/** One wrong password for an email (whether or not it has an account, so a lockout reveals nothing). */
export interface SignInFailureDocument {
  email: string;
  at: Date;
}

/** A locked email; the unique _id lets only one of racing failures make the lock (and mail about it). */
export interface SignInLockDocument {
  _id: string;
  lockedUntil: Date;
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
  signInFailures: Collection<SignInFailureDocument>;
  signInLocks: Collection<SignInLockDocument>;
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
    signInFailures: db.collection('sign_in_failures'),
    signInLocks: db.collection('sign_in_locks'),
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
  await collections.signInFailures.createIndex({ email: 1, at: 1 }, { name: 'email_at' });
  await collections.signInFailures.createIndex({ at: 1 }, { name: 'at' });
  return collections;
}
