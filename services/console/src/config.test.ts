import { ConfigError } from '@manifold/config';
import { loadConsoleConfig } from './config';

describe('console configuration', () => {
  it('has defaults for everything but MongoDB and the control-plane token', () => {
    const config = loadConsoleConfig({ MONGO_URL: 'mongodb://127.0.0.1:27017', CONTROL_PLANE_TOKEN: 'a'.repeat(32) });
    expect(config).toMatchObject({
      PORT: 3000,
      ADMIN_PORT: 9105,
      CONSOLE_DATABASE: 'manifold_console',
      CONTROL_PLANE_ADDRESS: '127.0.0.1:50051',
      INGESTION_URL: 'http://127.0.0.1:8080',
      INGESTION_PUBLIC_URL: 'http://127.0.0.1:8080',
      SESSION_TTL_HOURS: 12,
    });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConsoleConfig({
        CONTROL_PLANE_TOKEN: 'short',
        INGESTION_PUBLIC_URL: 'ftp://x',
        CONTROL_PLANE_ADDRESS: 'nohost',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('MONGO_URL is required but not set');
    expect(message).toContain('CONTROL_PLANE_TOKEN');
    expect(message).toContain('INGESTION_PUBLIC_URL="ftp://x"');
    expect(message).toContain('CONTROL_PLANE_ADDRESS="nohost": expected host:port');
  });

  it('needs PUBLIC_URL with SMTP_URL, so mailed links never take their host from a request', () => {
    const base = { MONGO_URL: 'mongodb://127.0.0.1:27017', CONTROL_PLANE_TOKEN: 'a'.repeat(32) };
    expect(() => loadConsoleConfig({ ...base, SMTP_URL: 'smtp://127.0.0.1:2525' })).toThrow(
      /PUBLIC_URL is required when SMTP_URL is set/,
    );
    const config = loadConsoleConfig({
      ...base,
      SMTP_URL: 'smtp://127.0.0.1:2525',
      PUBLIC_URL: 'https://console.example.test',
    });
    expect(config).toMatchObject({
      MAIL_FROM: 'Manifold <manifold@localhost>',
      SIGN_IN_ACCOUNT_MAX_FAILURES: 10,
      SIGN_IN_LOCKOUT_MINUTES: 15,
      SIGN_IN_GLOBAL_MAX_FAILURES_PER_MINUTE: 100,
    });
  });

  it('takes an optional setup token of 16 characters or more, and never quotes a bad one', () => {
    const base = { MONGO_URL: 'mongodb://127.0.0.1:27017', CONTROL_PLANE_TOKEN: 'a'.repeat(32) };
    expect(loadConsoleConfig(base).CONSOLE_SETUP_TOKEN).toBeUndefined();
    expect(loadConsoleConfig({ ...base, CONSOLE_SETUP_TOKEN: '' }).CONSOLE_SETUP_TOKEN).toBeUndefined();
    const token = 'a-setup-token-of-32-characters!!';
    expect(loadConsoleConfig({ ...base, CONSOLE_SETUP_TOKEN: token }).CONSOLE_SETUP_TOKEN).toBe(token);

    const problem = (value: string): string => {
      try {
        loadConsoleConfig({ ...base, CONSOLE_SETUP_TOKEN: value });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
      throw new Error(`CONSOLE_SETUP_TOKEN=${value.length} characters was accepted`);
    };
    const short = problem('sh0rt-s3cret');
    expect(short).toContain(
      'CONSOLE_SETUP_TOKEN=(12 characters, not shown): expected the setup token, 16 characters or more (openssl rand -hex 24 makes one)',
    );
    expect(short).not.toContain('s3cret');
    const newline = problem(`${token}\n`);
    expect(newline).toContain(
      'CONSOLE_SETUP_TOKEN=(33 characters, not shown): must not begin or end with white space (a newline left in a file?)',
    );
    expect(newline).not.toContain(token);
  });
});
