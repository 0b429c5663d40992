import { SendgridEmulator } from './index';
import { json, send } from './test-http';

const apiKey = 'SG.key';
const auth = { authorization: `Bearer ${apiKey}` };

describe('SendgridEmulator', () => {
  let api: SendgridEmulator;
  beforeAll(async () => {
    api = await new SendgridEmulator({
      apiKey,
      customFields: [{ id: 'e1_T', name: 'plan', field_type: 'Text' }],
      listIds: ['0b0d2c1e-5f4a-4c3b-9e8d-7a6b5c4d3e2f'],
    }).start();
  });
  afterAll(() => api.close());
  beforeEach(() => api.reset());

  const put = (body: unknown, h: Record<string, string> = auth) =>
    send(`${api.baseUrl}/v3/marketing/contacts`, { method: 'PUT', ...json(body, h) });

  it('queues an upsert (202 + job_id), stores emails lower-cased, reports the job', async () => {
    const answer = await put({ contacts: [{ email: 'Ann@Example.com', custom_fields: { e1_T: 'pro' } }] });
    expect(answer.status).toBe(202);
    const { job_id: jobId } = answer.json() as { job_id: string };
    expect(api.contactBy('email', 'ann@example.com')?.custom_fields).toEqual({ e1_T: 'pro' });
    const job = await send(`${api.baseUrl}/v3/marketing/contacts/imports/${jobId}`, { method: 'GET', headers: auth });
    expect(job.json()).toMatchObject({ status: 'completed', results: { created_count: 1, errored_count: 0 } });
  });

  it('an update without every identifier the contact has is an errored job item, not an HTTP error', async () => {
    await put({ contacts: [{ email: 'bo@example.com', external_id: 'u-1' }] });
    const answer = await put({ contacts: [{ external_id: 'u-1', first_name: 'Bo' }] });
    expect(answer.status).toBe(202);
    const job = api.jobs.get((answer.json() as { job_id: string }).job_id);
    expect(job?.results).toMatchObject({ updated_count: 0, errored_count: 1 });
    expect(job?.errors[0]?.message).toContain('email');
  });

  it.each([
    ['no auth', { contacts: [{ email: 'a@b.co' }] }, {}, 401, null],
    ['no contacts', { contacts: [] }, auth, 400, 'contacts'],
    ['no identifier', { contacts: [{ first_name: 'A' }] }, auth, 400, 'contacts[0]'],
    ['a bad email', { contacts: [{ email: 'a@b' }] }, auth, 400, 'contacts[0].email'],
    [
      'a first name over 50',
      { contacts: [{ email: 'a@b.co', first_name: 'x'.repeat(51) }] },
      auth,
      400,
      'contacts[0].first_name',
    ],
    [
      'an unknown custom field id',
      { contacts: [{ email: 'a@b.co', custom_fields: { e9_N: 1 } }] },
      auth,
      400,
      'contacts[0].custom_fields.e9_N',
    ],
    [
      'a number in a Text field',
      { contacts: [{ email: 'a@b.co', custom_fields: { e1_T: 3 } }] },
      auth,
      400,
      'contacts[0].custom_fields.e1_T',
    ],
    ['an unknown list', { list_ids: ['x'], contacts: [{ email: 'a@b.co' }] }, auth, 404, 'list_ids'],
  ])('refuses %s', async (_name, body, headers, status, field) => {
    const answer = await put(body, headers as Record<string, string>);
    expect(answer.status).toBe(status);
    expect((answer.json() as { errors: { field: string | null }[] }).errors[0]?.field).toBe(field);
    expect(api.contacts.size).toBe(0);
  });

  it('POST is not an upsert (405); bodies over 6 MB are refused (413)', async () => {
    const post = await send(`${api.baseUrl}/v3/marketing/contacts`, json({ contacts: [{ email: 'a@b.co' }] }, auth));
    expect(post.status).toBe(405);
    const big = await put({ contacts: [{ email: 'a@b.co', last_name: 'x'.repeat(6 * 1024 * 1024) }] });
    expect(big.status).toBe(413);
  });

  it('lists and creates custom fields; a name taken is refused', async () => {
    const url = `${api.baseUrl}/v3/marketing/field_definitions`;
    const created = await send(url, json({ name: 'score', field_type: 'Number' }, auth));
    expect(created.json()).toEqual({ id: 'e2_N', name: 'score', field_type: 'Number' });
    expect((await send(url, json({ name: 'Score', field_type: 'Text' }, auth))).status).toBe(400);
    const list = await send(url, { method: 'GET', headers: auth });
    expect((list.json() as { custom_fields: unknown[] }).custom_fields).toHaveLength(2);
  });
});
