import { GoogleAdsEmulator } from './google-ads';
import { json, send } from './test-http';

const CUSTOMER = '1234567890';
const ACTION = `customers/${CUSTOMER}/conversionActions/42`;
const HASH = 'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69';

describe('GoogleAdsEmulator', () => {
  let ads: GoogleAdsEmulator;
  let token: string;
  beforeAll(async () => {
    ads = await new GoogleAdsEmulator({
      oauth: { clientId: 'g', clientSecret: 'g-secret' },
      developerToken: 'dev',
      customerIds: [CUSTOMER],
      conversionActions: ['42'],
      customVariables: ['55'],
    }).start();
  });
  afterAll(() => ads.close());
  beforeEach(() => {
    ads.reset();
    token = ads.oauth.grant().accessToken;
  });
  const upload = (body: unknown, headers: Record<string, string> = {}, customer = CUSTOMER) =>
    send(
      `${ads.baseUrl}/v22/customers/${customer}:uploadClickConversions`,
      json(body, { authorization: `Bearer ${token}`, 'developer-token': 'dev', ...headers }),
    );
  const conversion = (extra: Record<string, unknown> = {}) => ({
    conversionAction: ACTION,
    conversionDateTime: '2026-11-30 14:05:09+00:00',
    gclid: 'G-1',
    ...extra,
  });
  const errorStatus = (r: { json: () => unknown }) => (r.json() as { error: { status: string } }).error.status;

  it('request-level checks: Bearer, developer token, login-customer-id and customer id digits, partialFailure', async () => {
    expect((await upload({ conversions: [conversion()], partialFailure: true })).status).toBe(200);
    const noDev = await upload({ conversions: [conversion()], partialFailure: true }, { 'developer-token': 'x' });
    expect([noDev.status, errorStatus(noDev)]).toEqual([403, 'PERMISSION_DENIED']);
    const login = await upload(
      { conversions: [conversion()], partialFailure: true },
      { 'login-customer-id': '111-222-3333' },
    );
    expect([login.status, errorStatus(login)]).toEqual([400, 'INVALID_ARGUMENT']);
    expect((await upload({ conversions: [conversion()], partialFailure: true }, {}, '123-456-7890')).status).toBe(400);
    const strict = await upload({ conversions: [conversion()] });
    expect(JSON.stringify(strict.json())).toContain('PARTIAL_FAILURE_MODE_REQUIRED');
    const tooMany = await upload({
      conversions: Array.from({ length: 2001 }, () => conversion()),
      partialFailure: true,
    });
    expect(JSON.stringify(tooMany.json())).toContain('TOO_MANY_CONVERSIONS_IN_REQUEST');
    ads.oauth.expireAccessTokens();
    const expired = await upload({ conversions: [conversion()], partialFailure: true });
    expect([expired.status, errorStatus(expired)]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('per conversion: refusals at their index in a 200 partialFailureError, the others recorded; duplicates refused', async () => {
    const answer = await upload({
      partialFailure: true,
      conversions: [
        conversion(),
        conversion({ conversionDateTime: '2026-11-30T14:05:09Z' }),
        conversion({ gclid: undefined, userIdentifiers: [{ hashedEmail: 'jane@example.com' }] }),
        conversion({ gclid: undefined, userIdentifiers: [{ hashedEmail: HASH }] }),
        conversion({ gclid: 'G-2', gbraid: 'B-2' }),
        conversion({ conversionAction: 'customers/9999999999/conversionActions/42', gclid: 'G-3' }),
        conversion({ gclid: undefined }),
      ],
    });
    expect(answer.status).toBe(200);
    const body = answer.json() as {
      partialFailureError: {
        code: number;
        details: { errors: { errorCode: object; location: { fieldPathElements: { index: number }[] } }[] }[];
      };
      results: object[];
    };
    expect(body.partialFailureError.code).toBe(3);
    expect(
      body.partialFailureError.details[0]!.errors.map((e) => [
        e.location.fieldPathElements[0]!.index,
        Object.values(e.errorCode)[0],
      ]),
    ).toEqual([
      [1, 'INVALID_FIELD_VALUES_IN_DATE_TIME'],
      [2, 'INVALID_VALUE'],
      [4, 'MULTIPLE_CLICK_IDS'],
      [5, 'INVALID_CONVERSION_ACTION'],
      [6, 'REQUIRED'],
    ]);
    expect(body.results[1]).toEqual({});
    expect(ads.conversions).toHaveLength(2);
    const again = await upload({
      partialFailure: true,
      conversions: [
        conversion(),
        conversion({ gclid: 'G-9', orderId: 'O' }),
        conversion({ gclid: 'G-10', orderId: 'O' }),
      ],
    });
    expect(JSON.stringify(again.json())).toContain('CLICK_CONVERSION_ALREADY_EXISTS');
    expect(JSON.stringify(again.json())).toContain('DUPLICATE_ORDER_ID');
    expect(ads.conversions).toHaveLength(3);
  });

  it('a conversion of a click less than 6 hours old: TOO_RECENT_EVENT at its index; taken once 6 hours have passed', async () => {
    let now = Date.parse('2026-11-30T18:00:00Z');
    const recent = await new GoogleAdsEmulator({
      oauth: { clientId: 'g', clientSecret: 'g-secret' },
      developerToken: 'dev',
      customerIds: [CUSTOMER],
      conversionActions: ['42'],
      clickTimes: { 'G-NEW': Date.parse('2026-11-30T14:00:00Z'), 'G-OLD': Date.parse('2026-11-29T14:00:00Z') },
      now: () => now,
    }).start();
    try {
      // A token granted now: the clock moves past an hour's lifetime below.
      const post = (access = recent.oauth.grant().accessToken) =>
        send(
          `${recent.baseUrl}/v22/customers/${CUSTOMER}:uploadClickConversions`,
          json(
            { partialFailure: true, conversions: [conversion({ gclid: 'G-OLD' }), conversion({ gclid: 'G-NEW' })] },
            { authorization: `Bearer ${access}`, 'developer-token': 'dev' },
          ),
        );
      const refusals = async () => {
        const answer = await post();
        expect(answer.status).toBe(200);
        const errors = (
          answer.json() as {
            partialFailureError: {
              details: { errors: { errorCode: object; location: { fieldPathElements: { index: number }[] } }[] }[];
            };
          }
        ).partialFailureError.details[0]!.errors;
        return errors.map((e) => [e.location.fieldPathElements[0]!.index, Object.values(e.errorCode)[0]]);
      };
      expect(await refusals()).toEqual([[1, 'TOO_RECENT_EVENT']]);
      expect(recent.conversions.map((c) => c.conversion['gclid'])).toEqual(['G-OLD']);
      now += 2 * 3600 * 1000;
      // Sent again: the first is there already, the second is taken now.
      expect(await refusals()).toEqual([[0, 'CLICK_CONVERSION_ALREADY_EXISTS']]);
      expect(recent.conversions.map((c) => c.conversion['gclid'])).toEqual(['G-OLD', 'G-NEW']);
    } finally {
      await recent.close();
    }
  });

  it('consent and custom variables: a value Google has no enum for fails the request; an unknown variable only its conversion', async () => {
    const variable = (id: string, value: unknown = 'gold') => ({
      conversionCustomVariable: `customers/${CUSTOMER}/conversionCustomVariables/${id}`,
      value,
    });
    const good = conversion({
      consent: { adUserData: 'GRANTED', adPersonalization: 'DENIED' },
      customVariables: [variable('55')],
    });
    const ok = await upload({ conversions: [good], partialFailure: true });
    expect(ok.status).toBe(200);
    expect(ads.conversions[0]?.conversion).toMatchObject({ consent: { adUserData: 'GRANTED' } });
    const badEnum = await upload({
      conversions: [conversion({ gclid: 'G-2', consent: { adUserData: 'YES' } })],
      partialFailure: true,
    });
    expect([badEnum.status, errorStatus(badEnum)]).toEqual([400, 'INVALID_ARGUMENT']);
    const notText = await upload({
      conversions: [conversion({ gclid: 'G-3', customVariables: [variable('55', 7)] })],
      partialFailure: true,
    });
    expect(notText.status).toBe(400);
    const unknown = await upload({
      conversions: [conversion({ gclid: 'G-4', customVariables: [variable('99')] }), conversion({ gclid: 'G-5' })],
      partialFailure: true,
    });
    expect(unknown.status).toBe(200);
    const answer = unknown.json() as {
      partialFailureError: { details: { errors: { errorCode: unknown; location: unknown }[] }[] };
    };
    expect(answer.partialFailureError.details[0]?.errors).toMatchObject([
      {
        errorCode: { mutateError: 'RESOURCE_NOT_FOUND' },
        location: { fieldPathElements: [{ fieldName: 'conversions', index: 0 }] },
      },
    ]);
    expect(ads.conversions.map((c) => c.conversion['gclid'])).toEqual(['G-1', 'G-5']);
  });
});
