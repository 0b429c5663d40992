import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { messageProblem } from './slack-validation';

// Slack incoming webhooks (libs/destinations/src/slack/README.md#the-api): POST a JSON message
// (or a form field `payload` holding one) to `/services/T…/B…/<token>`. Answers are plain text:
// `ok`, or an error code with its status. About one message per second per webhook, short bursts
// tolerated, beyond that 429 with Retry-After.

/** What became of a webhook: its channel archived, its app revoked, the hook removed, … */
export type SlackHookState = 'active' | 'archived' | 'revoked' | 'removed' | 'prohibited' | 'general-denied';

const STATE_ANSWERS: Record<Exclude<SlackHookState, 'active'>, { status: number; body: string }> = {
  archived: { status: 410, body: 'channel_is_archived' },
  revoked: { status: 403, body: 'invalid_token' },
  removed: { status: 404, body: 'no_service' },
  prohibited: { status: 403, body: 'action_prohibited' },
  'general-denied': { status: 403, body: 'posting_to_general_channel_denied' },
};

export interface SlackEmulatorOptions extends EmulatorOptions {
  /** Webhook paths that exist, e.g. `/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX`. */
  hooks: string[];
  /** Messages per second per webhook and the burst tolerated before 429 (Slack: about 1/s). */
  rate?: { perSecond: number; burst: number };
}

export interface SlackMessage {
  hook: string;
  message: Record<string, unknown>;
  /** The text as the channel shows it (Slack cuts it beyond 40,000 characters). */
  text: string;
}

const HOOK_PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const SHOWN_TEXT_CHARS = 40_000;

export class SlackEmulator extends Emulator {
  /** Messages posted, in order. */
  readonly messages: SlackMessage[] = [];
  private readonly states = new Map<string, SlackHookState>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: SlackEmulatorOptions) {
    super(options);
    for (const hook of options.hooks) this.states.set(hook, 'active');
  }

  /** Puts a webhook in a state: archived channel, revoked token, removed hook, … */
  setHookState(hook: string, state: SlackHookState): void {
    this.states.set(hook, state);
  }

  protected clearAccepted(): void {
    this.messages.length = 0;
    this.buckets.clear();
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const state = this.states.get(request.path);
    if (!HOOK_PATH.test(request.path) || state === undefined) return text(404, 'no_service');
    if (request.method !== 'POST') return text(405, 'invalid_method');
    if (state !== 'active') {
      const answer = STATE_ANSWERS[state];
      return text(answer.status, answer.body);
    }
    const message = parseMessage(request);
    if (!isPlainObject(message)) return text(400, 'invalid_payload');
    const problem = messageProblem(message);
    if (problem) return text(400, problem);
    const wait = this.takeToken(request.path);
    if (wait > 0) return { status: 429, headers: { 'retry-after': String(wait) }, body: 'rate_limited' };
    const shown = typeof message['text'] === 'string' ? message['text'].slice(0, SHOWN_TEXT_CHARS) : '';
    this.messages.push({ hook: request.path, message, text: shown });
    return text(200, 'ok');
  }

  /** Seconds to wait, or 0 when the webhook's bucket has a token (taken). */
  private takeToken(hook: string): number {
    const { perSecond, burst } = this.options.rate ?? { perSecond: 1, burst: 30 };
    // Wall-clock time, not the pinned API clock: limits are about how fast requests arrive.
    const now = Date.now();
    const bucket = this.buckets.get(hook) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(hook, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}

function parseMessage(request: EmulatorRequest): unknown {
  const type = mediaType(request.headers);
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(request.body).get('payload');
    return payload === null ? undefined : parseJson(payload);
  }
  return parseJson(request.body);
}

function text(status: number, body: string): EmulatorResponse {
  return { status, body };
}
