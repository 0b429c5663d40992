import { OAuthApps, oauthClientsConfig } from './oauth-clients';

// Which authorization server an instance's OAuth connection uses: the type's own, the one its
// settings pick among the definition's (a Salesforce sandbox), or the operator's override.

const CLIENT = { OAUTH_SALESFORCE_CLIENT_ID: 'sf-app', OAUTH_SALESFORCE_CLIENT_SECRET: 'sf-app-secret' };

describe('OAuth apps', () => {
  const apps = new OAuthApps(oauthClientsConfig(['salesforce', 'hubspot'], CLIENT));

  it('a Salesforce instance logs in at login.salesforce.com, a sandbox one at test.salesforce.com', () => {
    expect(apps.get('salesforce', { environment: 'production' })).toMatchObject({
      authorizeUrl: 'https://login.salesforce.com/services/oauth2/authorize',
      tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
      clientId: 'sf-app',
    });
    expect(apps.get('salesforce', {})?.tokenUrl).toBe('https://login.salesforce.com/services/oauth2/token');
    expect(apps.get('salesforce', { environment: 'sandbox' })).toMatchObject({
      authorizeUrl: 'https://test.salesforce.com/services/oauth2/authorize',
      tokenUrl: 'https://test.salesforce.com/services/oauth2/token',
    });
  });

  it('a setting never names a host: an unknown value falls back to the type’s own endpoints', () => {
    expect(apps.get('salesforce', { environment: 'https://evil.example' })?.tokenUrl).toBe(
      'https://login.salesforce.com/services/oauth2/token',
    );
  });

  it("the operator's URL variables win over both; a type without a client has no app", () => {
    const overridden = new OAuthApps(
      oauthClientsConfig(['salesforce'], { ...CLIENT, OAUTH_SALESFORCE_TOKEN_URL: 'http://127.0.0.1:9/token' }),
    );
    expect(overridden.get('salesforce', { environment: 'sandbox' })?.tokenUrl).toBe('http://127.0.0.1:9/token');
    expect(apps.get('hubspot', {})).toBeUndefined();
  });
});
