import { createHash } from 'node:crypto';
import { MailchimpEmulator } from './index';
import { basic, json, send } from './test-http';

const apiKey = '0123456789abcdef-us6';
const auth = { authorization: basic('any', apiKey) };
const hash = (email: string) => createHash('md5').update(email.toLowerCase()).digest('hex');

describe('MailchimpEmulator', () => {
  let api: MailchimpEmulator;
  beforeAll(async () => {
    api = await new MailchimpEmulator({ apiKey }).start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  const member = (email: string) => `${api.baseUrl}/3.0/lists/list-1/members/${hash(email)}`;
  const put = (email: string, body: unknown, h: Record<string, string> = auth) =>
    send(member(email), { method: 'PUT', ...json(body, h) });

  it('upserts a member by subscriber hash; tags and events answer 204', async () => {
    const created = await put('Ann@Example.com', {
      email_address: 'Ann@Example.com',
      status_if_new: 'subscribed',
      merge_fields: { FNAME: 'Ann', ADDRESS: { addr1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701' } },
    });
    expect(created.status).toBe(200);
    const tags = await send(
      `${member('ann@example.com')}/tags`,
      json({ tags: [{ name: 'vip', status: 'active' }] }, auth),
    );
    expect(tags.status).toBe(204);
    const event = await send(
      `${member('ann@example.com')}/events`,
      json({ name: 'signed_up', properties: { plan: 'pro' } }, auth),
    );
    expect(event.status).toBe(204);
    expect(api.member('list-1', 'ann@example.com')).toMatchObject({
      status: 'subscribed',
      merge_fields: { FNAME: 'Ann' },
      tags: ['vip'],
      events: [{ name: 'signed_up' }],
    });
  });

  it('Bearer works too; a key of another data center, or a wrong key, is 401 API Key Invalid', async () => {
    expect(
      (
        await put(
          'a@b.co',
          { email_address: 'a@b.co', status_if_new: 'pending' },
          { authorization: `Bearer ${apiKey}` },
        )
      ).status,
    ).toBe(200);
    for (const key of ['0123456789abcdef-us7', 'nope-us6']) {
      const answer = await put(
        'a@b.co',
        { email_address: 'a@b.co', status_if_new: 'pending' },
        { authorization: basic('x', key) },
      );
      expect(answer.status).toBe(401);
      expect(answer.json()).toMatchObject({ title: 'API Key Invalid', status: 401 });
    }
  });

  it.each([
    ['a new member without status_if_new', { email_address: 'a@b.co' }, 'status_if_new'],
    [
      'an unknown merge tag',
      { email_address: 'a@b.co', status_if_new: 'subscribed', merge_fields: { PLAN: 'x' } },
      'merge_fields.PLAN',
    ],
    [
      'an incomplete ADDRESS',
      { email_address: 'a@b.co', status_if_new: 'subscribed', merge_fields: { ADDRESS: { city: 'X' } } },
      'merge_fields.ADDRESS',
    ],
    [
      'a list as a value',
      { email_address: 'a@b.co', status_if_new: 'subscribed', merge_fields: { FNAME: ['A'] } },
      'merge_fields.FNAME',
    ],
    [
      'a birthday not MM/DD',
      { email_address: 'a@b.co', status_if_new: 'subscribed', merge_fields: { BIRTHDAY: '1990-01-02' } },
      'merge_fields.BIRTHDAY',
    ],
  ])('refuses %s with Invalid Resource naming the field', async (_name, body, field) => {
    const answer = await put('a@b.co', body);
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ title: 'Invalid Resource', errors: [{ field }] });
  });

  it('a hash that is not the email’s is refused; an unsubscribed member cannot be subscribed again', async () => {
    const wrong = await send(member('other@b.co'), {
      method: 'PUT',
      ...json({ email_address: 'a@b.co', status_if_new: 'subscribed' }, auth),
    });
    expect(wrong.status).toBe(400);
    await put('u@b.co', { email_address: 'u@b.co', status_if_new: 'unsubscribed' });
    const again = await put('u@b.co', { email_address: 'u@b.co', status: 'subscribed' });
    expect(again.json()).toMatchObject({ status: 400, title: 'Member In Compliance State' });
  });

  it('events: name rules, string properties, and the member must exist', async () => {
    const post = (email: string, body: unknown) => send(`${member(email)}/events`, json(body, auth));
    expect((await post('nobody@b.co', { name: 'ok_name' })).status).toBe(404);
    await put('e@b.co', { email_address: 'e@b.co', status_if_new: 'subscribed' });
    expect((await post('e@b.co', { name: 'has space' })).json()).toMatchObject({ errors: [{ field: 'name' }] });
    expect((await post('e@b.co', { name: 'x'.repeat(31) })).status).toBe(400);
    expect((await post('e@b.co', { name: 'ok', properties: { n: 1 } })).json()).toMatchObject({
      errors: [{ field: 'properties.n' }],
    });
  });

  it('more than 10 simultaneous requests: the ones beyond get 429 Too Many Requests', async () => {
    api.setResponseDelay(300);
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_v, i) =>
          put(`c${i}@b.co`, { email_address: `c${i}@b.co`, status_if_new: 'subscribed' }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
      expect(answers.find((a) => a.status === 429)?.json()).toMatchObject({ title: 'Too Many Requests' });
    } finally {
      api.setResponseDelay(0);
    }
  });

  it('merge fields: created once per tag, listed', async () => {
    const url = `${api.baseUrl}/3.0/lists/list-1/merge-fields`;
    expect((await send(url, json({ tag: 'PLAN', name: 'plan', type: 'text' }, auth))).status).toBe(200);
    expect((await send(url, json({ tag: 'PLAN', name: 'plan', type: 'text' }, auth))).json()).toMatchObject({
      detail: expect.stringContaining('already exists'),
    });
    expect((await send(url, json({ tag: 'TOOLONGTAG1', name: 'x', type: 'text' }, auth))).status).toBe(400);
    const list = await send(url, { method: 'GET', headers: auth });
    expect((list.json() as { total_items: number }).total_items).toBe(6);
  });
});
