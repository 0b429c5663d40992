import { USER_AGENTS as UA } from '../test-support/user-agents';
import { parseUserAgent } from './user-agent';

describe('parseUserAgent', () => {
  it('reads browser, OS and device from desktop, Android and tablet user agents', () => {
    expect(parseUserAgent(UA.desktopChrome)).toEqual({
      browser: 'Chrome',
      browserVersion: '131.0.0.0',
      os: 'Windows',
      osVersion: '10',
      deviceType: 'desktop',
    });
    expect(parseUserAgent(UA.androidChrome)).toEqual({
      browser: 'Chrome',
      browserVersion: '131.0.6778.81',
      os: 'Android',
      osVersion: '14',
      deviceType: 'mobile',
      deviceVendor: 'Google',
      deviceModel: 'Pixel 8',
    });
    expect(parseUserAgent(UA.iPad)).toMatchObject({ os: 'iOS', deviceType: 'tablet', deviceModel: 'iPad' });
  });

  it('says nothing about what is not a user agent', () => {
    expect(parseUserAgent(undefined)).toBeUndefined();
    expect(parseUserAgent(42)).toBeUndefined();
    expect(parseUserAgent('')).toBeUndefined();
    expect(parseUserAgent('curl/8.0')).toBeUndefined();
  });
});
