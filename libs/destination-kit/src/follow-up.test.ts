import { z } from 'zod';
import {
  defineAction,
  defineDestination,
  DropEventError,
  followUpRequests,
  jsonRequest,
  joinUrl,
  Notices,
  outcomeOfError,
  type HttpResponseInfo,
  type RequestDescriptor,
} from './index';

const settings = z.object({ baseUrl: z.url().default('https://api.example.com') });

const upsert = defineAction(settings, {
  title: 'Upsert',
  description: 'Search, then update or create',
  fields: z.object({ key: z.string() }),
  defaultMapping: { key: { '@path': '$.userId' } },
  perform: (payload, s) => [
    {
      ...jsonRequest('POST', joinUrl(s.baseUrl, '/search'), { key: payload.key }),
      followUp: { step: 'upsert', state: { key: payload.key } },
    },
  ],
});

const example = defineDestination({
  id: 'example',
  name: 'Example',
  description: 'Two-step API',
  categories: [],
  settings,
  actions: { upsert },
  routes: { identify: [{ action: 'upsert' }] },
  followUp: (response, request, s, notices) => {
    const { key } = request.followUp?.state as { key: string };
    const found = (JSON.parse(response.body) as { ids: string[] }).ids;
    if (found.length > 1) throw new DropEventError('INVALID_PAYLOAD', `${found.length} records match ${key}`);
    if (found.length === 0) notices.dropped('history', 'a new record has none');
    return found.length === 1
      ? [jsonRequest('PUT', joinUrl(s.baseUrl, `/records/${found[0]}`), { key })]
      : [jsonRequest('POST', joinUrl(s.baseUrl, '/records'), { key })];
  },
});

const s = settings.parse({});
const [search] = upsert.perform({ key: 'u-1' }, s, new Notices()) as [RequestDescriptor];
const answer = (status: number, ids: string[]): HttpResponseInfo => ({
  status,
  headers: {},
  body: JSON.stringify({ ids }),
});

describe('followUpRequests', () => {
  it('asks the destination for the next step after a 2xx answer', () => {
    expect(followUpRequests(example, search, answer(200, ['r-9']), s).map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT https://api.example.com/records/r-9',
    ]);
    expect(followUpRequests(example, search, answer(200, []), s).map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST https://api.example.com/records',
    ]);
  });

  it('records what a step leaves out in the notices it is given (the event’s)', () => {
    const notices = new Notices();
    followUpRequests(example, search, answer(200, []), s, notices);
    expect(notices.list).toEqual([{ kind: 'dropped', field: 'history', reason: 'a new record has none' }]);
  });

  it('has nothing to send after a non-2xx answer or for a request that is not a flow step', () => {
    expect(followUpRequests(example, search, answer(503, []), s)).toEqual([]);
    const { followUp: _dropped, ...plain } = search;
    expect(followUpRequests(example, plain, answer(200, []), s)).toEqual([]);
  });

  it('lets the destination end the flow with a typed error', () => {
    let thrown: unknown;
    try {
      followUpRequests(example, search, answer(200, ['a', 'b']), s);
    } catch (error) {
      thrown = error;
    }
    expect(outcomeOfError(thrown)).toEqual({
      kind: 'drop',
      reason: 'INVALID_PAYLOAD',
      message: '2 records match u-1',
    });
  });
});
