import { ConfigError } from '@manifold/config';
import { loadTranslatorConfig, mongoDatabase, settingsFromConfig } from './config';
import { formatDuration, parseDuration } from './duration';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', CONTROL_PLANE_TOKEN: 't', MONGO_URL: 'mongodb://127.0.0.1:27017/m' };

describe('translator configuration', () => {
  it('defaults to every known type, Segment-like retry tiers over 4 h, and admin port 9103', () => {
    const config = loadTranslatorConfig(base);
    const settings = settingsFromConfig(config, ['webhook', 'mixpanel']);
    expect(config.ADMIN_PORT).toBe(9103);
    expect(config.CONTROL_PLANE_ADDRESS).toBe('127.0.0.1:50051');
    expect(settings.destinationTypes).toEqual(['webhook', 'mixpanel']);
    expect(settings.retryDelaysMs).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000]);
    expect(settings.retryWindowMs).toBe(4 * 3_600_000);
    expect(settings.dedupWindowMs).toBe(24 * 3_600_000);
    expect(settings.slowInstanceTimeouts).toBe(1);
  });

  it('takes a list of types, tiers and durations', () => {
    const config = loadTranslatorConfig({
      ...base,
      DESTINATION_TYPES: 'mixpanel',
      RETRY_TIERS: '30s,200ms,2m',
      RETRY_WINDOW: '90m',
      REQUEST_TIMEOUT: '2.5s',
    });
    const settings = settingsFromConfig(config, ['webhook', 'mixpanel']);
    expect(settings.destinationTypes).toEqual(['mixpanel']);
    expect(settings.retryDelaysMs).toEqual([200, 30_000, 120_000]);
    expect(settings.retryWindowMs).toBe(5_400_000);
    expect(settings.requestTimeoutMs).toBe(2_500);
  });

  it('lists every bad variable at once, and refuses unknown types', () => {
    let error: unknown;
    try {
      loadTranslatorConfig({ ...base, RETRY_TIERS: '5s,soon', REQUEST_TIMEOUT: 'forever', MONGO_URL: undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toContain('RETRY_TIERS');
    expect(() =>
      settingsFromConfig(loadTranslatorConfig({ ...base, DESTINATION_TYPES: 'webhook,nope' }), ['webhook']),
    ).toThrow('unknown types nope');
  });

  it('blocks link-local destination addresses by default; DESTINATION_BLOCKED_NETWORKS sets the networks, a bad one named', () => {
    const byDefault = settingsFromConfig(loadTranslatorConfig(base), ['webhook']).addressPolicy;
    expect(byDefault.allows('169.254.169.254')).toBe(false);
    expect(byDefault.allows('10.0.0.5')).toBe(true);
    const strict = settingsFromConfig(
      loadTranslatorConfig({ ...base, DESTINATION_BLOCKED_NETWORKS: '169.254.0.0/16, 10.0.0.0/8' }),
      ['webhook'],
    ).addressPolicy;
    expect(strict.allows('10.0.0.5')).toBe(false);
    expect(
      settingsFromConfig(
        loadTranslatorConfig({ ...base, DESTINATION_BLOCKED_NETWORKS: 'none' }),
        [],
      ).addressPolicy.allows('169.254.169.254'),
    ).toBe(true);
    expect(() => loadTranslatorConfig({ ...base, DESTINATION_BLOCKED_NETWORKS: '10.0.0.0/8,intranet' })).toThrow(
      /DESTINATION_BLOCKED_NETWORKS.*"intranet" is not an IP address or a network in CIDR notation/,
    );
  });

  it('takes replica-set connection strings, which are not WHATWG URLs', () => {
    const url = 'mongodb://mongodb-0.mongodb:27017,mongodb-1.mongodb:27017/?replicaSet=rs0';
    expect(loadTranslatorConfig({ ...base, MONGO_URL: url }).MONGO_URL).toBe(url);
    expect(mongoDatabase(url)).toBe('manifold');
    expect(mongoDatabase('mongodb://a:1,b:2/events?replicaSet=rs0')).toBe('events');
    expect(mongoDatabase('mongodb+srv://user:pw@cluster.example.net/prod')).toBe('prod');
    expect(() => loadTranslatorConfig({ ...base, MONGO_URL: 'http://nope' })).toThrow('mongodb://');
  });

  it('reads and prints durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('4h')).toBe(14_400_000);
    expect(parseDuration('40')).toBe(40);
    expect(() => parseDuration('5 minutes')).toThrow('not a duration');
    expect([250, 5000, 120_000, 3_600_000, 90_000].map(formatDuration)).toEqual(['250ms', '5s', '2m', '1h', '90s']);
  });
});
