import { env, requiredTogether, usedOnlyWhen, type ConfigOf, type ConfigProblem } from '@manifold/config';

/** Who a service logs in to MongoDB as, and how it checks the server (managed or secured MongoDB). */
export interface MongoSecurity {
  /** Given to the driver as options, never written into the connection string. */
  auth?: { username: string; password: string };
  /** TLS to the servers; `caFile` replaces the system's trusted CAs, `certificateKeyFile` is the client's certificate and key (one PEM file). */
  tls?: { caFile?: string; certificateKeyFile?: string };
}

/** The variables every service that uses MongoDB reads, next to MONGO_URL. */
export const mongoConnectionConfigShape = {
  MONGO_USERNAME: env.string().optional(),
  MONGO_PASSWORD: env.string().optional(),
  MONGO_TLS: env.bool(false),
  MONGO_TLS_CA_FILE: env.file().optional(),
  MONGO_TLS_CERT_KEY_FILE: env.file().optional(),
};

export type MongoConnectionConfig = ConfigOf<typeof mongoConnectionConfigShape>;

/** The rules across those variables: a user name and a password go together, TLS files need MONGO_TLS. */
export function checkMongoConnectionConfig(config: MongoConnectionConfig): ConfigProblem[] {
  return [
    ...requiredTogether(config, 'MONGO_USERNAME', 'MONGO_PASSWORD'),
    ...usedOnlyWhen(config, config.MONGO_TLS, ['MONGO_TLS_CA_FILE', 'MONGO_TLS_CERT_KEY_FILE'], 'MONGO_TLS=true'),
  ];
}

/** The connection's security from checked configuration (connectMongo's `security`); undefined when none is set. */
export function mongoSecurity(config: MongoConnectionConfig): MongoSecurity | undefined {
  const { MONGO_USERNAME: username, MONGO_PASSWORD: password } = config;
  const auth = username !== undefined && password !== undefined ? { username, password } : undefined;
  const tls = config.MONGO_TLS
    ? {
        ...(config.MONGO_TLS_CA_FILE && { caFile: config.MONGO_TLS_CA_FILE.path }),
        ...(config.MONGO_TLS_CERT_KEY_FILE && { certificateKeyFile: config.MONGO_TLS_CERT_KEY_FILE.path }),
      }
    : undefined;
  if (!auth && !tls) return undefined;
  return { ...(auth && { auth }), ...(tls && { tls }) };
}
