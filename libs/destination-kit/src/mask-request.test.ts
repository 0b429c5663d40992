import { z } from 'zod';
import {
  basicAuth,
  buildRequests,
  catalogEntry,
  classifyNetworkError,
  classifyResponse,
  defineAction,
  defineDestination,
  followUpRequests,
  jsonRequest,
  joinUrl,
  maskerOf,
  maskRequest,
  secret,
  secretValues,
  type RequestDescriptor,
} from './index';

const settings = z.object({
  apiKey: secret(z.string().min(1)),
  headers: secretValues(z.record(z.string(), z.string())).default({}),
  baseUrl: z.url().default('https://api.example.com'),
});

const send = defineAction(settings, {
  title: 'Send',
  description: 'Key in the body, Basic auth, custom headers',
  fields: z.object({ user: z.string() }),
  defaultMapping: { user: { '@path': '$.userId' } },
  perform: (payload, s) => [
    {
      ...jsonRequest(
        'POST',
        joinUrl(s.baseUrl, '/track', { key: s.apiKey }),
        { api_key: s.apiKey, user: payload.user },
        { authorization: basicAuth(s.apiKey), ...s.headers },
      ),
      followUp: { step: 'confirm' },
    },
  ],
});

const example = defineDestination({
  id: 'example',
  name: 'Example',
  description: 'Secrets everywhere',
  categories: [],
  settings,
  actions: { send },
  routes: { track: [{ action: 'send' }] },
  classifyResponse: (response) => ({ kind: 'dead-letter', reason: 'REJECTED', message: `said: ${response.body}` }),
  followUp: (_response, _request, s) => [jsonRequest('POST', joinUrl(s.baseUrl, `/confirm/${s.apiKey}`), {})],
});

const KEY = 'key/9f8e+7d=';
const s = settings.parse({
  apiKey: KEY,
  headers: { 'X-Custom': 'Token custom-token-123' },
  baseUrl: 'https://u:pw@api.example.com',
});

describe('maskRequest', () => {
  it('derives which settings hold credentials, URLs included', () => {
    expect(catalogEntry(example)).toMatchObject({
      secrets: { apiKey: 'whole', headers: 'values', baseUrl: 'url' },
    });
  });

  it('masks the credentials of the settings a request was built from, wherever they are', () => {
    const [request] = buildRequests(example, 'send', [{ user: 'u-1' }], s) as [RequestDescriptor];
    const masked = maskRequest(request);
    expect(masked).toEqual({
      method: 'POST',
      url: 'https://********@api.example.com/track?key=********',
      headers: {
        authorization: '********',
        'content-type': 'application/json',
        'user-agent': 'Manifold (Destinations)',
        'x-custom': '********',
      },
      body: '{"api_key":"********","user":"u-1"}',
    });
    expect(maskRequest(request, { bodyChars: 10 }).body).toBe('{"api_key"…');

    const [next] = followUpRequests(example, request, { status: 200, headers: {}, body: '{}' }, s);
    expect(maskRequest(next!).url).toBe('https://********@api.example.com/confirm/********');
  });

  it('masks what an answer echoes, and URL userinfo in network errors', () => {
    const [request] = buildRequests(example, 'send', [{ user: 'u-1' }], s) as [RequestDescriptor];
    expect(classifyResponse(example, request, { status: 400, headers: {}, body: `bad key ${KEY}` })).toMatchObject({
      message: 'said: bad key ********',
    });
    expect(maskerOf(request).text(`token custom-token-123`)).toBe('token ********');
    expect(classifyNetworkError(new Error('cannot reach https://bob:hunter2@x.test/'))).toEqual({
      kind: 'retry',
      reason: 'cannot reach https://********@x.test/',
    });
  });

  it('masks requests it did not build by the rules that need no secrets', () => {
    const request = jsonRequest('POST', 'https://a:b@x.test/p?token=t&id=1', { key: KEY }, { 'x-api-key': 'k' });
    expect(maskRequest(request)).toMatchObject({
      url: 'https://********@x.test/p?token=********&id=1',
      headers: { 'x-api-key': '********' },
      body: `{"key":"${KEY}"}`,
    });
  });
});
