import { defineDestination } from '@manifold/destination-kit';
import { classifyGoogleAdsResponse } from './classify-response';
import { googleAdsSettings } from './settings';
import { uploadClickConversion } from './upload-click-conversion';

// Google Ads API click conversion uploads: offline click conversions (gclid, gbraid, wbraid) and
// enhanced conversions for leads (hashed email and phone). Connected with OAuth 2.0 (offline
// access: a refresh token), plus the operator's developer token.

const TRACK_ONLY = 'Google Ads takes conversions: track events (a route picks which)';

export const googleAds = defineDestination({
  id: 'google-ads',
  name: 'Google Ads Conversions',
  description: 'Uploads click conversions and enhanced conversions for leads to a Google Ads conversion action.',
  categories: ['Advertising'],
  settings: googleAdsSettings,
  actions: { uploadClickConversion },
  routes: {
    track: [{ if: 'event = "Order Completed"', action: 'uploadClickConversion' }],
    identify: { unsupported: TRACK_ONLY },
    page: { unsupported: TRACK_ONLY },
    screen: { unsupported: TRACK_ONLY },
    group: { unsupported: TRACK_ONLY },
    alias: { unsupported: TRACK_ONLY },
  },
  classifyResponse: classifyGoogleAdsResponse,
  oauth: {
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    scopes: ['https://www.googleapis.com/auth/adwords'],
    // A refresh token is given only for offline access, and again only when consent is asked anew.
    authorizeParams: { access_type: 'offline', prompt: 'consent' },
    uses: () => true,
  },
});

export { googleAdsSettings, type GoogleAdsSettings } from './settings';
