import { AccessTokens, type AccessTokenSource } from './access-tokens';

describe('AccessTokens', () => {
  it('asks once per instance however many requests want a token, and keeps it until refresh_after', async () => {
    let now = 1_000;
    const asked: Array<{ destinationId: string; rejectedToken?: string }> = [];
    const source: AccessTokenSource = async (request) => {
      asked.push(request);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { accessToken: `tok-${asked.length}`, refreshAfter: new Date(now + 500) };
    };
    const tokens = new AccessTokens(source, () => now);
    const answers = await Promise.all(Array.from({ length: 5 }, () => tokens.token('dst-1')));
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ ok: true, token: 'tok-1' })));
    expect(await tokens.token('dst-1')).toEqual({ ok: true, token: 'tok-1' });
    expect(asked).toHaveLength(1);
    now += 600;
    expect(await tokens.token('dst-1')).toEqual({ ok: true, token: 'tok-2' });
    // A refused token is reported once; one already replaced is not reported again.
    const replaced = await Promise.all([tokens.replace('dst-1', 'tok-2'), tokens.replace('dst-1', 'tok-2')]);
    expect(replaced).toEqual([
      { ok: true, token: 'tok-3' },
      { ok: true, token: 'tok-3' },
    ]);
    expect(await tokens.replace('dst-1', 'tok-2')).toEqual({ ok: true, token: 'tok-3' });
    expect(asked.map((a) => a.rejectedToken)).toEqual([undefined, undefined, 'tok-2']);
  });

  it("says why there is no token: reconnect needed, not connected, or the control plane's failure", async () => {
    const failing =
      (code: number, details: string): AccessTokenSource =>
      () =>
        Promise.reject(Object.assign(new Error(details), { code, details }));
    expect(await new AccessTokens(failing(9, 'reconnect needed: invalid_grant')).token('d')).toMatchObject({
      ok: false,
      reason: 'OAUTH_RECONNECT_NEEDED',
    });
    expect(await new AccessTokens(failing(9, 'not connected: connect it in the console')).token('d')).toMatchObject({
      ok: false,
      reason: 'OAUTH_NOT_CONNECTED',
    });
    expect(await new AccessTokens(failing(14, 'unavailable')).token('d')).toMatchObject({
      ok: false,
      reason: 'OAUTH_UNAVAILABLE',
    });
    expect(await new AccessTokens(undefined).token('d')).toMatchObject({ ok: false, reason: 'OAUTH_UNAVAILABLE' });
  });
});
