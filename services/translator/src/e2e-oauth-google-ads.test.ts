// Google Ads connected with OAuth, end to end: ingestion → Kafka → two translator replicas → the
// Google Ads emulator, with the real control plane (in-process) holding the connection. The
// consent URL asks for offline access; access tokens lapse mid-run (by their lifetime, and all at
// once: 401 UNAUTHENTICATED) and every conversion is uploaded once; a conversion Google refuses
// is rejected alone. Every conversion carries the user's consent and a conversion custom variable.
import { GoogleAdsEmulator } from '@manifold/emulators';
import { waitFor, waitForReports } from './test-support/harness';
import { expireHeldTokens, startOAuthPipeline, type OAuthPipeline } from './test-support/oauth-pipeline';

const CLIENT = { clientId: 'g-web-client', clientSecret: 'g-web-client-secret-1234' };
const CUSTOMER = '1234567890';

describe('OAuth-connected Google Ads, end to end', () => {
  let ads: GoogleAdsEmulator;
  let p: OAuthPipeline;

  beforeAll(async () => {
    ads = await new GoogleAdsEmulator({
      // Tokens that lapse every 3 s at first: several refreshes happen during the run.
      oauth: { ...CLIENT, scopes: ['https://www.googleapis.com/auth/adwords'], accessTokenTtlSeconds: 3 },
      developerToken: 'dev-token-e2e',
      customerIds: [CUSTOMER],
      conversionActions: ['987654321'],
      customVariables: ['55'],
    }).start();
    p = await startOAuthPipeline({
      catalogId: 'google-ads',
      name: 'Google Ads',
      settings: {
        customerId: '123-456-7890',
        developerToken: 'dev-token-e2e',
        conversionActionId: '987654321',
        apiBaseUrl: ads.baseUrl,
        batchSize: 20,
        customVariables: { tier: '55' },
      },
      emulatorUrl: ads.baseUrl,
      client: CLIENT,
      oauthPaths: { authorize: '/o/oauth2/v2/auth', token: '/token' },
    });
  }, 90_000);

  afterAll(async () => {
    await p?.close();
    await ads?.close();
  });

  it('asked for offline access with a consent prompt', () => {
    const consent = ads.requests.find((r) => r.path === '/o/oauth2/v2/auth' && r.method === 'GET');
    expect(consent?.query).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      scope: 'https://www.googleapis.com/auth/adwords',
    });
  });

  it('uploads every conversion once while access tokens lapse and are replaced; a refused one is rejected alone', async () => {
    const before = ads.oauth.refreshCount();
    const orders = (round: number) =>
      Array.from({ length: 10 }, (_v, i) => {
        const n = round * 10 + i;
        return {
          type: 'track',
          event: 'Order Completed',
          messageId: `g-${n}`,
          // Order 33 repeats order 32's order id (Google refuses it: one conversion per order id
          // and action); same user as 32, so it leaves after 32.
          userId: `user-${(n === 33 ? 32 : n) % 7}`,
          properties: {
            gclid: `Cj0-${n}`,
            order_id: `O-${n === 33 ? 32 : n}`,
            total: n,
            currency: 'EUR',
            tier: n % 2 ? 'gold' : 'silver',
          },
          context: { consent: { ad_user_data: 'GRANTED', ad_personalization: n % 2 === 0 } },
        };
      });
    for (let round = 0; round < 6; round++) {
      await p.send(orders(round));
      // Tokens the translators hold expired at once: 401, a fresh token, the call again.
      if (round === 2) await expireHeldTokens(p, ads.oauth);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const uploaded = () =>
      ads.conversions.map((c) => Number(String(c.conversion['gclid']).slice(4))).sort((a, b) => a - b);
    await waitFor(() => ads.conversions.length >= 59, 30_000, 'all 59 good conversions at Google Ads');
    expect(uploaded()).toEqual(Array.from({ length: 60 }, (_v, i) => i).filter((n) => n !== 33));
    for (const { conversion } of ads.conversions) {
      const n = Number(String(conversion['gclid']).slice(4));
      expect(conversion).toMatchObject({
        consent: { adUserData: 'GRANTED', adPersonalization: n % 2 === 0 ? 'GRANTED' : 'DENIED' },
        customVariables: [
          {
            conversionCustomVariable: `customers/${CUSTOMER}/conversionCustomVariables/55`,
            value: n % 2 ? 'gold' : 'silver',
          },
        ],
      });
    }
    expect(ads.oauth.refreshCount() - before).toBeGreaterThanOrEqual(2);
    expect(ads.requests.some((r) => r.status === 401 && r.responseBody.includes('UNAUTHENTICATED'))).toBe(true);
    // The refused row came back inside Google's 200 (partialFailureError): reported by that answer's status.
    const FAILED = `${p.destinationId}|failed|http_200`;
    const { counts } = await waitForReports(
      p.kafka,
      p.reportsTopic,
      (c) => (c[`${p.destinationId}|delivered|`] ?? 0) + (c[FAILED] ?? 0) >= 60,
    );
    expect(counts[`${p.destinationId}|delivered|`]).toBe(59);
    expect(Object.entries(counts).filter(([k]) => k.startsWith(`${p.destinationId}|failed|`))).toEqual([[FAILED, 1]]);
  }, 90_000);
});
