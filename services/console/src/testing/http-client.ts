// Test support: an HTTP client that keeps a session cookie and CSRF token, like the web app does.
import { request } from 'undici';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export class ConsoleClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const allHeaders: Record<string, string> = { origin: this.baseUrl, ...headers };
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    if (this.cookie) allHeaders['cookie'] = this.cookie;
    if (this.bearer) allHeaders['authorization'] = `Bearer ${this.bearer}`;
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in headers)) allHeaders['x-csrf-token'] = this.csrfToken;
    const response = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const pair = line.split(';')[0]!;
      if (pair.startsWith('manifold_session=')) this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // HTML pages stay text.
    }
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed) {
      this.csrfToken = (parsed as { csrfToken?: string }).csrfToken ?? undefined;
    }
    return { status: response.statusCode, body: parsed as T, headers: response.headers };
  }

  async setup(email: string, password: string, workspaceSlug: string, workspaceName = workspaceSlug) {
    return this.call('POST', '/auth/setup', { email, password, workspaceSlug, workspaceName });
  }

  async signIn(email: string, password: string) {
    return this.call('POST', '/auth/signin', { email, password });
  }
}

/** The token in an invitation link (after the #). */
export function invitationToken(link: string): string {
  const token = new URL(link).hash.slice(1);
  if (!token) throw new Error(`no token in invitation link ${link}`);
  return token;
}

/**
 * Brings a new user into a workspace the only way there is: `owner` invites them (on a console
 * without SMTP, so the link comes back), and they accept, choosing their password. Returns their
 * signed-in client.
 */
export async function joinByInvitation(
  owner: ConsoleClient,
  workspace: string,
  email: string,
  role: string,
  password: string,
): Promise<ConsoleClient> {
  const invited = await owner.call<{ link: string | null }>(
    'POST',
    `/api/v1/workspaces/${encodeURIComponent(workspace)}/invitations`,
    { email, role },
  );
  if (invited.status !== 201 || !invited.body.link) {
    throw new Error(`invitation failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  }
  const member = new ConsoleClient(owner.baseUrl);
  const accepted = await member.call('POST', '/auth/invitations/accept', {
    token: invitationToken(invited.body.link),
    password,
  });
  if (accepted.status !== 201) throw new Error(`accepting failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return member;
}

/** Sends events to ingestion's `/v1/batch` with a source's write key, as an SDK does; fails unless it answers 200. */
export async function sendBatch(
  ingestionUrl: string,
  writeKey: string,
  events: Array<Record<string, unknown>>,
): Promise<void> {
  const response = await request(`${ingestionUrl}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch: events }),
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`ingestion answered ${response.statusCode}: ${text}`);
}
