import { ConfigError, env, loadConfig } from './index';

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
});
