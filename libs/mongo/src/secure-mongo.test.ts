// MongoDB credentials and TLS, configured the way services are (MONGO_* variables through the
// config loader) and given to the driver as options. FerretDB here has no TLS and no SCRAM
// logins, so TLS goes through a TLS-terminating proxy in front of it (certificates made by
// openssl), and a login shows the credentials reached the server by being refused.
import { rmSync } from 'node:fs';
import { ConfigError, env, loadConfig } from '@manifold/config';
import {
  makeTlsCertificates,
  rejectionOf,
  requireMongo,
  TcpProxy,
  testInfrastructure,
  testLogger,
  uniqueName,
  type TlsCertificates,
} from '@manifold/testing';
import { readFileSync } from 'node:fs';
import {
  checkMongoConnectionConfig,
  connectMongo,
  mongoConnectionConfigShape,
  mongoSecurity,
  MongoUnavailableError,
} from './index';

const logger = testLogger('mongo-secure');
const shape = { MONGO_URL: env.mongoUrl(), ...mongoConnectionConfigShape };

async function connectWith(source: Record<string, string>) {
  const config = loadConfig('mongo-secure-test', shape, source, [checkMongoConnectionConfig]);
  const security = mongoSecurity(config);
  return connectMongo({
    url: config.MONGO_URL,
    database: uniqueName('securemongo').replace(/[^a-z0-9]/gi, ''),
    appName: 'mongo-secure-test',
    logger,
    serverSelectionTimeoutMs: 3000,
    ...(security && { security }),
  });
}

describe('MongoDB over TLS', () => {
  const { mongoUrl } = testInfrastructure();
  let certs: TlsCertificates;
  let tlsProxy: TcpProxy;
  let mutualProxy: TcpProxy;
  const target = new URL(mongoUrl);

  beforeAll(async () => {
    await requireMongo(mongoUrl);
    certs = makeTlsCertificates();
    const serverTls = { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) };
    tlsProxy = new TcpProxy(target.hostname, Number(target.port), serverTls);
    mutualProxy = new TcpProxy(target.hostname, Number(target.port), {
      ...serverTls,
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
    });
    await Promise.all([tlsProxy.start(), mutualProxy.start()]);
  });

  afterAll(async () => {
    await Promise.all([tlsProxy?.stop(), mutualProxy?.stop()]);
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it('connects with MONGO_TLS and the CA that signed the server certificate', async () => {
    const mongo = await connectWith({
      MONGO_URL: `mongodb://127.0.0.1:${tlsProxy.port}/`,
      MONGO_TLS: 'true',
      MONGO_TLS_CA_FILE: certs.ca,
    });
    try {
      await mongo.db.collection('things').insertOne({ _id: 'one' } as never);
      expect(await mongo.db.collection('things').countDocuments()).toBe(1);
    } finally {
      await mongo.db.dropDatabase();
      await mongo.close();
    }
  });

  it('presents the client certificate of MONGO_TLS_CERT_KEY_FILE (mutual TLS), and is refused without it', async () => {
    const url = `mongodb://127.0.0.1:${mutualProxy.port}/`;
    const mongo = await connectWith({
      MONGO_URL: url,
      MONGO_TLS: 'true',
      MONGO_TLS_CA_FILE: certs.ca,
      MONGO_TLS_CERT_KEY_FILE: certs.clientCertKey,
    });
    await mongo.ping();
    await mongo.close();

    const error = await rejectionOf(() =>
      connectWith({ MONGO_URL: url, MONGO_TLS: 'true', MONGO_TLS_CA_FILE: certs.ca }),
    );
    expect(error).toBeInstanceOf(MongoUnavailableError);
    expect(error.message).toContain(`MongoDB is not reachable at ${url} (TLS)`);
  });

  it('says the server certificate is not trusted without the CA', async () => {
    const error = await rejectionOf(() =>
      connectWith({ MONGO_URL: `mongodb://127.0.0.1:${tlsProxy.port}/`, MONGO_TLS: 'true' }),
    );
    expect(error).toBeInstanceOf(MongoUnavailableError);
    expect(error.message).toMatch(/\(TLS\): .*(self-signed|self signed|unable to verify|certificate)/i);
  });

  it('says a plaintext server is not reachable over TLS', async () => {
    const error = await rejectionOf(() =>
      connectWith({ MONGO_URL: mongoUrl, MONGO_TLS: 'true', MONGO_TLS_CA_FILE: certs.ca }),
    );
    expect(error).toBeInstanceOf(MongoUnavailableError);
    expect(error.message).toContain('(TLS)');
  });
});

describe('MongoDB credentials', () => {
  const { mongoUrl } = testInfrastructure();

  it('gives the driver the credentials as options, and says a refused login without the password', async () => {
    await requireMongo(mongoUrl);
    const password = 'pw-that-must-not-show-7';
    // FerretDB on SQLite refuses every SCRAM login: the refusal proves the credentials were sent.
    const error = await rejectionOf(() =>
      connectWith({ MONGO_URL: mongoUrl, MONGO_USERNAME: 'manifold', MONGO_PASSWORD: password }),
    );
    expect(error).toBeInstanceOf(MongoUnavailableError);
    expect(error.message).toContain('refused the login of user manifold (check MONGO_USERNAME and MONGO_PASSWORD)');
    expect(error.message).not.toContain(password);
    expect(error.message).not.toContain(encodeURIComponent(password));
  });

  it('lists missing and stray variables, never quoting the password', () => {
    let error: unknown;
    try {
      loadConfig(
        'svc',
        shape,
        { MONGO_URL: 'mongodb://m:27017/', MONGO_PASSWORD: 's3cret-pw', MONGO_TLS_CA_FILE: __filename },
        [checkMongoConnectionConfig],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'MONGO_USERNAME is required when MONGO_PASSWORD is set',
      `MONGO_TLS_CA_FILE="${__filename}": is only used with MONGO_TLS=true`,
    ]);
    expect((error as ConfigError).message).not.toContain('s3cret-pw');
  });
});
