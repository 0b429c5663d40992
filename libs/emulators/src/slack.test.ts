import { SlackEmulator } from './index';
import { form, json, send } from './test-http';

const hook = '/services/T0001/B0001/Xq7bZ2mNp4Rt8sLw3vYk6cJd';

describe('SlackEmulator', () => {
  let sl: SlackEmulator;
  beforeAll(async () => {
    sl = await new SlackEmulator({ hooks: [hook], rate: { perSecond: 1, burst: 3 } }).start();
  });
  afterAll(() => sl.close());
  beforeEach(() => sl.reset());

  it('posts a JSON message or a form field payload: 200 "ok" as plain text', async () => {
    const a = await send(`${sl.baseUrl}${hook}`, json({ text: 'Hello *world*' }));
    expect([a.status, a.text, a.headers['content-type']]).toEqual([200, 'ok', 'text/plain; charset=utf-8']);
    const b = await send(`${sl.baseUrl}${hook}`, form({ payload: JSON.stringify({ text: 'from a form' }) }));
    expect([b.status, b.text]).toEqual([200, 'ok']);
    expect(sl.messages.map((m) => m.text)).toEqual(['Hello *world*', 'from a form']);
  });

  it('refuses what Slack refuses, with its error codes', async () => {
    const post = async (body: string | object, path = hook) => {
      const r = await send(
        `${sl.baseUrl}${path}`,
        typeof body === 'string' ? { body, headers: { 'content-type': 'application/json' } } : json(body),
      );
      sl.reset();
      return [r.status, r.text];
    };
    expect(await post('{not json')).toEqual([400, 'invalid_payload']);
    expect(await post({ username: 'x' })).toEqual([400, 'no_text']);
    expect(await post({ text: 'x', unfurl_links: 'false' })).toEqual([400, 'invalid_payload']);
    expect(await post({ text: 5 })).toEqual([400, 'invalid_payload']);
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(await post({ blocks: Array.from({ length: 51 }, () => section('a')) })).toEqual([400, 'invalid_blocks']);
    expect(await post({ blocks: [section('a'.repeat(3001))] })).toEqual([400, 'invalid_blocks']);
    expect(await post({ blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })).toEqual([
      400,
      'invalid_blocks',
    ]);
    expect(await post({ blocks: [section('ok')] })).toEqual([200, 'ok']);
    expect(await post({ attachments: Array.from({ length: 101 }, () => ({ text: 'a' })) })).toEqual([
      400,
      'too_many_attachments',
    ]);
    expect(await post({ text: 'x' }, '/services/T0001/B0001/Unknown')).toEqual([404, 'no_service']);
  });

  it('answers for archived channels, revoked tokens and restricted posting', async () => {
    const states = [
      ['archived', 410, 'channel_is_archived'],
      ['revoked', 403, 'invalid_token'],
      ['removed', 404, 'no_service'],
      ['prohibited', 403, 'action_prohibited'],
      ['general-denied', 403, 'posting_to_general_channel_denied'],
    ] as const;
    for (const [state, status, body] of states) {
      sl.setHookState(hook, state);
      const r = await send(`${sl.baseUrl}${hook}`, json({ text: 'x' }));
      expect([state, r.status, r.text]).toEqual([state, status, body]);
    }
    sl.setHookState(hook, 'active');
    expect(sl.messages).toEqual([]);
  });

  it('takes a short burst, then about one message a second: 429 with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const r = await send(`${sl.baseUrl}${hook}`, json({ text: `m${i}` }));
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(sl.messages).toHaveLength(3);
  });
});
