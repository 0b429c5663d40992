import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  deriveKey,
  hasUnsealedSecrets,
  maskSettings,
  mergeSettingsUpdate,
  openReadableSettings,
  openSettings,
  parseKey,
  sealSettings,
  secret,
  SECRET_MASK,
  SecretBox,
  SecretMasker,
  secretValues,
  settingSecrets,
  settingsMasker,
  type SettingSecrets,
} from './index';
import { maskUrlSetting, urlCredentials } from './url';

const M = SECRET_MASK;

describe('which settings hold credentials', () => {
  it('reads the secret markers and treats every URL setting as one that may carry credentials', () => {
    expect(
      settingSecrets({
        type: 'object',
        properties: {
          apiKey: { type: 'string', secret: true },
          headers: { type: 'object', secret: 'values' },
          url: { type: 'string', format: 'uri' },
          explicitUrl: { type: 'string', secret: 'url' },
          dsn: { type: 'string', format: 'uri', secret: true },
          region: { type: 'string' },
          batchSize: { type: 'integer' },
        },
      }),
    ).toEqual({ apiKey: 'whole', headers: 'values', url: 'url', explicitUrl: 'url', dsn: 'whole' });
    expect(settingSecrets(undefined)).toEqual({});
  });

  it('reads back the markers zod settings carry into their JSON Schema', () => {
    const settings = z.object({
      apiKey: secret(z.string(), 'The API key.'),
      headers: secretValues(z.record(z.string(), z.string())),
      endpoint: z.url(),
      region: z.string(),
    });
    const schema = z.toJSONSchema(settings, { io: 'input' });
    expect(settingSecrets(schema)).toEqual({ apiKey: 'whole', headers: 'values', endpoint: 'url' });
    expect(schema.properties?.['apiKey']).toMatchObject({ description: 'The API key.', writeOnly: true });
  });
});

describe('SecretBox', () => {
  it('seals with AES-256-GCM, opens with the same key only, and passes unsealed text through', () => {
    const box = new SecretBox(randomBytes(32).toString('base64'));
    const sealed = box.seal('sk_live_abc');
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain('sk_live_abc');
    expect(box.open(sealed)).toBe('sk_live_abc');
    expect(box.open('never sealed')).toBe('never sealed');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => parseKey('c2hvcnQ=')).toThrow('32 bytes');
  });

  it('opens what it can of stored settings, naming the credentials sealed with another key', () => {
    const box = new SecretBox(randomBytes(32).toString('base64'));
    const other = new SecretBox(randomBytes(32).toString('base64'));
    const secrets: SettingSecrets = { apiKey: 'whole', token: 'whole', headers: 'values', unset: 'whole' };
    const stored = {
      apiKey: other.seal('k-1'),
      token: box.seal('t-1'),
      headers: { Authorization: other.seal('Bearer x'), 'X-Team': box.seal('growth'), Empty: '' },
      region: 'eu',
    };
    expect(openReadableSettings(stored, secrets, box)).toEqual({
      settings: { token: 't-1', headers: { 'X-Team': 'growth', Empty: '' }, region: 'eu' },
      unreadable: ['apiKey', 'headers.Authorization'],
    });
    expect(() => openSettings(stored, secrets, box)).toThrow();
  });

  it('derives a stable key per purpose, and key ids tell keys apart', () => {
    expect(deriveKey('token-1', 'a')).toEqual(deriveKey('token-1', 'a'));
    expect(deriveKey('token-1', 'a')).not.toEqual(deriveKey('token-1', 'b'));
    expect(new SecretBox(deriveKey('t', 'a')).keyId).toBe(new SecretBox(deriveKey('t', 'a')).keyId);
    expect(new SecretBox(deriveKey('t', 'a')).keyId).not.toBe(new SecretBox(deriveKey('u', 'a')).keyId);
  });
});

describe('URL settings', () => {
  it.each([
    ['https://hooks.example.com/hooks/segment', 'https://hooks.example.com/hooks/segment'],
    ['https://api.mixpanel.com', 'https://api.mixpanel.com'],
    [
      'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcDEF123ghiJKL456mnoPQR',
      `https://hooks.slack.com/services/${M}/${M}/${M}`,
    ],
    ['https://user:p%40ss@example.com/in?token=t0k&format=json', `https://${M}@example.com/in?token=${M}&format=${M}`],
    ['https://discord.com/api/webhooks/123456789012345678/aB-cD_eF', `https://discord.com/api/webhooks/${M}/${M}`],
  ])('%s is shown as %s', (raw, shown) => {
    expect(maskUrlSetting(raw)).toBe(shown);
  });

  it('lists the credential parts of a URL, decoded', () => {
    expect(urlCredentials('https://u:p%40ss@example.com/hooks/T01/x?token=a+b')).toEqual(['u', 'p@ss', 'a b', 'T01']);
  });
});

describe('SecretMasker', () => {
  const secret = 'sk/live+KEY=42';
  const masker = new SecretMasker([secret, 'Bearer hdr-token-77'], ['T0123ABCD']);

  it('masks a secret in every form a request carries it', () => {
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ k: secret }).toString().slice(2),
      Buffer.from(secret).toString('base64'),
      Buffer.from(`${secret}:`).toString('base64'),
      Buffer.from(`user:${secret}`).toString('base64url'),
    ];
    for (const form of forms) expect(masker.text(`before ${form} after`)).toBe(`before ${M} after`);
    expect(masker.text(JSON.stringify({ api_key: secret }))).toBe(`{"api_key":"${M}"}`);
  });

  it('masks URLs: userinfo always, credential-named query values, and parts holding a secret', () => {
    expect(
      masker.url(
        `https://a:b@x.test/v1/T0123ABCD/${encodeURIComponent(secret)}?api_secret=s&id=G-1&k=${encodeURIComponent(secret)}`,
      ),
    ).toBe(`https://${M}@x.test/v1/${M}/${M}?api_secret=${M}&id=G-1&k=${M}`);
    expect(SecretMasker.generic.text('failed: https://bob:hunter2@db.test/x')).toBe(`failed: https://${M}@db.test/x`);
  });

  it('masks credential-named headers and headers holding a secret', () => {
    expect(
      masker.headers({
        authorization: 'Basic dXNlcjpwYXNz',
        'x-custom': 'Bearer hdr-token-77',
        'x-api-key': 'k',
        'content-type': 'application/json',
        'x-many': ['a', 'b'],
      }),
    ).toEqual({
      authorization: M,
      'x-custom': M,
      'x-api-key': M,
      'content-type': 'application/json',
      'x-many': 'a, b',
    });
  });

  it('cuts excerpts after masking, so a secret across the cut is not half shown', () => {
    const text = `${'x'.repeat(95)}${secret}${'y'.repeat(100)}`;
    const excerpt = masker.excerpt(text, 100);
    expect(excerpt).toBe(`${'x'.repeat(95)}*****…`);
    expect(masker.excerpt('short', 100)).toBe('short');
  });

  it('does not search free text for secrets too short to be credentials', () => {
    const short = new SecretMasker(['abc'], ['json']);
    expect(short.text('abc json abcdef')).toBe('abc json abcdef');
    expect(short.url('https://x.test/abc?format=json')).toBe(`https://x.test/${M}?format=${M}`);
  });
});

describe('settings', () => {
  const secrets: SettingSecrets = { apiKey: 'whole', headers: 'values', url: 'url' };
  const clear = {
    apiKey: 'key-123456',
    headers: { Authorization: 'Bearer tok-987654', 'X-Team': 'blue' },
    url: 'https://hooks.example.com/services/T0123ABCD/secretPathToken42',
    method: 'POST',
  };
  const box = new SecretBox(randomBytes(32));

  it('seals every credential at rest and opens them again', () => {
    const sealed = sealSettings(clear, secrets, box);
    const stored = JSON.stringify(sealed);
    for (const value of ['key-123456', 'tok-987654', 'blue', 'secretPathToken42', 'hooks.example.com']) {
      expect(stored).not.toContain(value);
    }
    expect(sealed['method']).toBe('POST');
    expect(hasUnsealedSecrets(sealed, secrets)).toBe(false);
    expect(hasUnsealedSecrets(clear, secrets)).toBe(true);
    expect(openSettings(sealed, secrets, box)).toEqual(clear);
    expect(sealSettings(sealed, secrets, box)).toEqual(sealed);
  });

  it('masks reads, and a read sent back keeps every saved credential', () => {
    const shown = maskSettings(clear, secrets);
    expect(shown).toEqual({
      apiKey: M,
      headers: { Authorization: M, 'X-Team': M },
      url: `https://hooks.example.com/services/${M}/${M}`,
      method: 'POST',
    });
    expect(mergeSettingsUpdate(clear, shown, secrets)).toEqual({ settings: clear, unresolved: [] });
    expect(maskSettings(sealSettings(clear, secrets, box), secrets)).toMatchObject({ url: M, apiKey: M });
    const edited = { ...shown, headers: { Authorization: M, 'X-New': 'v' }, method: 'PUT' };
    expect(mergeSettingsUpdate(clear, edited, secrets).settings).toEqual({
      ...clear,
      headers: { Authorization: 'Bearer tok-987654', 'X-New': 'v' },
      method: 'PUT',
    });
  });

  it('refuses masked values with nothing saved behind them', () => {
    const update = { apiKey: M, headers: { 'X-Other': M }, url: `https://other.example.com/services/${M}` };
    expect(mergeSettingsUpdate(clear, update, secrets).unresolved).toEqual(['headers.X-Other', 'url']);
    expect(mergeSettingsUpdate({}, update, secrets).unresolved).toEqual(['apiKey', 'headers.X-Other', 'url']);
  });

  it('masks every credential of the settings in requests', () => {
    const masker = settingsMasker(clear, secrets);
    expect(masker.text('a key-123456 and tok-987654')).toBe(`a ${M} and ${M}`);
    expect(masker.url(clear.url)).toBe(maskUrlSetting(clear.url));
  });

  it('masks the parts of a URL held whole when an error quotes them alone', () => {
    const url = 'postgres://loader_account:pw-9f8e7d6c@db.internal:5432/analytics';
    const masker = settingsMasker({ url }, { url: 'whole' });
    expect(masker.text(`could not connect to ${url}`)).toBe(`could not connect to ${M}`);
    expect(masker.text('role "loader_account" does not exist; password pw-9f8e7d6c')).toBe(
      `role "${M}" does not exist; password ${M}`,
    );
    expect(masker.text('database "analytics" does not exist')).toBe('database "analytics" does not exist');
  });
});
