import { MongoClient, MongoServerError, type Db, type MongoClientOptions } from 'mongodb';
import type { Logger } from '@manifold/logger';
import { SecretMasker } from '@manifold/secrets';
import type { MongoSecurity } from './connection-config';
import { MongoUnavailableError } from './errors';

export interface ConnectMongoOptions {
  /** mongodb:// URL; its path names the database unless `database` is given. */
  url: string;
  database?: string;
  appName: string;
  logger: Logger;
  /** How long to wait for a server before failing (ms). */
  serverSelectionTimeoutMs?: number;
  /** Credentials and TLS (MONGO_USERNAME, MONGO_TLS, ...; see mongoSecurity). */
  security?: MongoSecurity;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  /** Round trip to the server; throws MongoUnavailableError when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to MongoDB (FerretDB locally) and proves the connection with a ping.
 *
 * Production runs real MongoDB and local runs FerretDB 1.24, so callers keep to what both
 * support: CRUD, unique indexes and simple aggregations; no transactions, change streams or TTL.
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<MongoConnection> {
  const database = options.database ?? (databaseFromUrl(options.url) || 'manifold');
  const client = new MongoClient(options.url, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
    // FerretDB reports a standalone server without sessions support for retryable writes.
    retryWrites: false,
    ...securityOptions(options.security),
  });
  const where = redact(options.url) + (options.security?.tls ? ' (TLS)' : '');
  const password = options.security?.auth?.password;
  const mask = password ? new SecretMasker([password]) : SecretMasker.generic;
  const unavailable = (error: unknown): MongoUnavailableError => {
    // A refused login is not an outage: say so, naming the variables to check.
    if (error instanceof MongoServerError && error.code === AUTHENTICATION_FAILED) {
      const user = options.security?.auth?.username;
      return new MongoUnavailableError(
        mask.text(
          `MongoDB at ${where} refused the login${user ? ` of user ${user}` : ''} (check MONGO_USERNAME and MONGO_PASSWORD): ${error.message}`,
        ),
        error,
      );
    }
    const reason = error instanceof Error ? `: ${error.message}` : '';
    return new MongoUnavailableError(mask.text(`MongoDB is not reachable at ${where}${reason}`), error);
  };
  const ping = async (): Promise<void> => {
    try {
      await client.db('admin').command({ ping: 1 });
    } catch (error) {
      throw unavailable(error);
    }
  };
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw unavailable(error);
  }
  await ping();
  options.logger.info({ url: where, database }, 'connected to MongoDB');
  return { client, db: client.db(database), ping, close: () => client.close() };
}

/** MongoDB's (and FerretDB's) code for a refused login. */
const AUTHENTICATION_FAILED = 18;

/** The driver's options for credentials and TLS; the connection string is left as it is. */
export function securityOptions(security: MongoSecurity | undefined): MongoClientOptions {
  const { auth, tls } = security ?? {};
  return {
    ...(auth && { auth: { username: auth.username, password: auth.password } }),
    ...(tls && {
      tls: true,
      ...(tls.caFile && { tlsCAFile: tls.caFile }),
      ...(tls.certificateKeyFile && { tlsCertificateKeyFile: tls.certificateKeyFile }),
    }),
  };
}

/**
 * The database named in a connection string's path. Read with a pattern, not URL parsing:
 * replica-set strings name several hosts, which a WHATWG URL cannot hold.
 */
export function databaseFromUrl(url: string): string {
  return /^mongodb(?:\+srv)?:\/\/[^/?#]+\/([^?#]*)/.exec(url)?.[1] ?? '';
}

/** Drops the password from a connection string so it can be logged. */
function redact(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
