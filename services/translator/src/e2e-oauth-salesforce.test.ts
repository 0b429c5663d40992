// Salesforce connected with OAuth, end to end: ingestion → Kafka → two translator replicas → the
// Salesforce emulator, with the real control plane (in-process) holding the connection. The
// instance URL every call goes to is the one the token answer gave (kept as a setting); access
// tokens lapse mid-run (by their lifetime, and all at once: 401 INVALID_SESSION_ID) and every
// identify and group still lands once, as one record each. Then, groups batched into sObject
// Collections upserts while Salesforce answers 503 and then 403 REQUEST_LIMIT_EXCEEDED for a
// while: each Account is accepted exactly once.
import { SalesforceEmulator } from '@manifold/emulators';
import { waitFor, waitForReports } from './test-support/harness';
import { expireHeldTokens, startOAuthPipeline, type OAuthPipeline } from './test-support/oauth-pipeline';

const CLIENT = { clientId: 'sf-connected-app', clientSecret: 'sf-connected-app-secret-1234' };
const PEOPLE = 12;

describe('OAuth-connected Salesforce, end to end', () => {
  let sf: SalesforceEmulator;
  let p: OAuthPipeline;

  beforeAll(async () => {
    sf = await new SalesforceEmulator({
      // Tokens that lapse every 3 s at first: several refreshes happen during the run.
      oauth: { ...CLIENT, scopes: ['api', 'refresh_token'], accessTokenTtlSeconds: 3 },
      customFields: { Lead: ['Round__c'] },
      externalIdFields: { Account: ['Segment_Group_Id__c'] },
    }).start();
    p = await startOAuthPipeline({
      catalogId: 'salesforce',
      name: 'Salesforce',
      // No instance URL: the connection brings it.
      settings: { accountExternalIdField: 'Segment_Group_Id__c' },
      emulatorUrl: sf.baseUrl,
      client: CLIENT,
      oauthPaths: { authorize: '/services/oauth2/authorize', token: '/services/oauth2/token' },
    });
  }, 90_000);

  afterAll(async () => {
    await p?.close();
    await sf?.close();
  });

  it('keeps the instance URL from the token answer as a setting', async () => {
    const read = await p.cp.client.destinations.getDestination(p.target);
    expect(read.oauth?.state).toBe('connected');
    expect(read.settings?.['instanceUrl']).toBe(sf.baseUrl);
  });

  it('delivers every identify and group once while access tokens lapse and are replaced mid-run', async () => {
    const before = sf.oauth.refreshCount();
    // Each person identified in several rounds (found by email, then updated), each group upserted.
    for (let round = 0; round < 6; round++) {
      await p.send(
        Array.from({ length: PEOPLE }, (_v, i) => ({
          type: 'identify',
          messageId: `sf-${round}-${i}`,
          // One person per userId: the translator keeps a user's events in order.
          userId: `user-${i}`,
          traits: { email: `person${i}@example.com`, last_name: `P${i}`, company: 'Acme', Round__c: round },
        })),
      );
      await p.send([
        {
          type: 'group',
          messageId: `sfg-${round}`,
          userId: 'user-0',
          groupId: `g-${round % 3}`,
          traits: { name: `G${round}` },
        },
      ]);
      // Tokens the translators hold expired at once: 401, a fresh token, the call again.
      if (round === 2) await expireHeldTokens(p, sf.oauth);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const leadsDone = () =>
      Array.from({ length: PEOPLE }, (_v, i) => sf.find('Lead', 'Email', `person${i}@example.com`)).every(
        (found) => found.length === 1 && found[0]?.fields['Round__c'] === 5,
      );
    await waitFor(leadsDone, 30_000, 'every Lead at its last round');
    expect(sf.records.Lead.size).toBe(PEOPLE);
    expect(
      [...sf.records.Account.values()].map((a) => [a.fields['Segment_Group_Id__c'], a.fields['Name']]).sort(),
    ).toEqual([
      ['g-0', 'G3'],
      ['g-1', 'G4'],
      ['g-2', 'G5'],
    ]);
    // Tokens lapsed by their lifetime and once all at once: refreshed, met by 401 INVALID_SESSION_ID at least once.
    expect(sf.oauth.refreshCount() - before).toBeGreaterThanOrEqual(2);
    expect(sf.requests.some((r) => r.status === 401 && r.responseBody.includes('INVALID_SESSION_ID'))).toBe(true);
    const total = PEOPLE * 6 + 6;
    const { counts } = await waitForReports(
      p.kafka,
      p.reportsTopic,
      (c) => (c[`${p.destinationId}|delivered|`] ?? 0) >= total,
    );
    expect(counts[`${p.destinationId}|delivered|`]).toBe(total);
    expect(Object.keys(counts).filter((k) => k.includes('|failed|'))).toEqual([]);
  }, 90_000);

  it('answering 503 and then REQUEST_LIMIT_EXCEEDED for a while, batched Account upserts land exactly once each', async () => {
    const before = sf.requests.length;
    const groups = Array.from({ length: 30 }, (_v, n) => ({
      type: 'group',
      messageId: `sfb-${n}`,
      // Several users, so the groups spread over partitions and both replicas.
      userId: `burst-user-${n % 5}`,
      groupId: `burst-${n}`,
      traits: { name: `Burst ${n}`, employees: n },
    }));
    sf.failFor(1500, { status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server busy' }] });
    sf.failNext(2, {
      status: 403,
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }],
    });
    for (let i = 0; i < groups.length; i += 10) await p.send(groups.slice(i, i + 10));
    // A client resending part of a batch: the same messageIds again.
    await p.send(groups.slice(0, 5));
    const sent = () => sf.requests.slice(before).filter((r) => !r.injected && r.status < 300);
    /**
     * Each burst groupId Salesforce accepted, as many times as it was accepted: in collections
     * (a batch) or in single upserts (an event that came alone).
     */
    const accepted = () =>
      [
        ...sent()
          .filter((r) => r.path.includes('/composite/sobjects/Account/'))
          .flatMap((r) =>
            (JSON.parse(r.body) as { records: Record<string, unknown>[] }).records.map((a) =>
              String(a['Segment_Group_Id__c']),
            ),
          ),
        ...sent()
          .filter((r) => r.path.includes('/sobjects/Account/Segment_Group_Id__c/burst-'))
          .map((r) => decodeURIComponent(r.path.split('/').pop() ?? '')),
      ].sort();
    await waitFor(() => accepted().length >= groups.length, 45_000, 'every burst Account accepted');
    expect(accepted()).toEqual(groups.map((g) => g.groupId).sort());
    expect(sf.requests.slice(before).some((r) => r.injected && r.status === 503)).toBe(true);
    // Most went batched.
    expect(sent().filter((r) => r.path.includes('/composite/')).length).toBeLessThan(groups.length);
    for (const g of groups) {
      expect(sf.find('Account', 'Segment_Group_Id__c', g.groupId).map((a) => a.fields['Name'])).toEqual([
        g.traits.name,
      ]);
    }
  }, 90_000);
});
