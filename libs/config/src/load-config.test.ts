import { ConfigError, env, loadConfig, requiredTogether, usedOnlyWhen } from './index';

describe('loadConfig', () => {
  const shape = {
    KAFKA_BROKERS: env.hostPorts(),
    MONGO_URL: env.url(['mongodb']),
    PORT: env.port(8080),
    DEBUG: env.bool(false),
  };

  it('parses and applies defaults', () => {
    const cfg = loadConfig('svc', shape, { KAFKA_BROKERS: 'a:1, b:2', MONGO_URL: 'mongodb://x:1/db' });
    expect(cfg).toEqual({ KAFKA_BROKERS: ['a:1', 'b:2'], MONGO_URL: 'mongodb://x:1/db', PORT: 8080, DEBUG: false });
  });

  it('accepts replica-set MongoDB connection strings and refuses other URLs', () => {
    const shape = { MONGO_URL: env.mongoUrl() };
    const replicaSet = 'mongodb://m-0.mongo:27017,m-1.mongo:27017/manifold?replicaSet=rs0';
    expect(loadConfig('svc', shape, { MONGO_URL: replicaSet }).MONGO_URL).toBe(replicaSet);
    expect(loadConfig('svc', shape, { MONGO_URL: 'mongodb+srv://cluster.example.net/' }).MONGO_URL).toBeDefined();
    expect(() => loadConfig('svc', shape, { MONGO_URL: 'http://x' })).toThrow('expected a MongoDB connection string');
  });

  it('lists every bad or missing variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('ingestion', shape, { MONGO_URL: 'http://nope', PORT: '70000', DEBUG: 'maybe', KAFKA_BROKERS: ' ' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(message).toContain('ingestion: invalid configuration (4 problems)');
    expect(message).toContain('KAFKA_BROKERS is required but not set');
    expect(message).toContain('MONGO_URL="http://nope": expected a URL starting with mongodb://');
    expect(message).toContain('PORT="70000": expected a port from 0 to 65535');
    expect(message).toContain('DEBUG="maybe": expected true or false');
  });

  it('never quotes a credential: secret variables are hidden, URL userinfo masked', () => {
    const shape = { SERVICE_TOKEN: env.string().min(16), SMTP_URL: env.url(['smtp']) };
    let message = '';
    try {
      loadConfig('svc', shape, { SERVICE_TOKEN: 'tok-s3cret', SMTP_URL: 'http://mailer:p4ssw0rd@mail.test' });
    } catch (e) {
      message = (e as ConfigError).message;
    }
    expect(message).toContain('SERVICE_TOKEN=(10 characters, not shown): ');
    expect(message).toContain('SMTP_URL="http://********@mail.test": expected a URL starting with smtp://');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('p4ssw0rd');
  });

  it('runs checks across variables once each parsed, listing their problems the same way', () => {
    const shape = {
      USER_NAME: env.string().optional(),
      USER_PASSWORD: env.string().optional(),
      TLS: env.bool(false),
      TLS_CA_FILE: env.file().optional(),
    };
    const checks = [
      (c: { USER_NAME?: string; USER_PASSWORD?: string }) => requiredTogether(c, 'USER_NAME', 'USER_PASSWORD'),
      (c: { TLS: boolean; TLS_CA_FILE?: unknown }) => usedOnlyWhen(c, c.TLS, ['TLS_CA_FILE'], 'TLS=true'),
    ];
    let error: unknown;
    try {
      loadConfig('svc', shape, { USER_PASSWORD: 'p4ss-word', TLS_CA_FILE: __filename }, checks);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toEqual([
      'USER_NAME is required when USER_PASSWORD is set',
      `TLS_CA_FILE="${__filename}": is only used with TLS=true`,
    ]);
    const ok = loadConfig(
      'svc',
      shape,
      { USER_NAME: 'u', USER_PASSWORD: 'p', TLS: 'true', TLS_CA_FILE: __filename },
      checks,
    );
    expect(ok.TLS_CA_FILE?.text).toContain('runs checks across variables');
  });

  it('reads a file variable at start, and reports one it cannot read, naming its path', () => {
    expect(() => loadConfig('svc', { CA_FILE: env.file() }, { CA_FILE: '/nonexistent/ca.pem' })).toThrow(
      'CA_FILE="/nonexistent/ca.pem": cannot read the file (ENOENT)',
    );
    // A key file's path is shown: the path is no secret, the file's content is never quoted.
    expect(() => loadConfig('svc', { TLS_KEY_FILE: env.file() }, { TLS_KEY_FILE: '/nonexistent/k.pem' })).toThrow(
      'TLS_KEY_FILE="/nonexistent/k.pem": cannot read the file (ENOENT)',
    );
  });
});
