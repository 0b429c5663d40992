import type { Mailer } from '@manifold/mail';
import { SignInThrottle, type ThrottleLimits } from '../auth/sign-in-throttle';
import { HttpError, type FieldViolation } from '../server/http-error';
import { normalizeEmail } from '../store/accounts';

/**
 * How many invitation emails the console sends. Each one goes through the operator's SMTP server
 * to an address the inviter chose, so without limits a workspace owner (or a stolen session, or a
 * script with an API token) could use the console to spam and get the operator's mail domain
 * blocklisted.
 */
export interface InvitationLimits {
  /** Emails per workspace within `windowMs`. */
  perWorkspace: number;
  /** Emails per inviting user within `windowMs`, across their workspaces (their API tokens are them). */
  perInviter: number;
  windowMs: number;
  /** One email per address per workspace within this long: a re-send waits it out. */
  perAddressMs: number;
}

export const DEFAULT_INVITATION_LIMITS: InvitationLimits = {
  perWorkspace: 50,
  perInviter: 20,
  windowMs: 60 * 60 * 1000,
  perAddressMs: 5 * 60 * 1000,
};

/**
 * Invitation links that match no usable invitation, per caller's address (lookups and accepts alike).
 * Tokens are 32 random bytes, so this stops scripted hammering rather than protecting the tokens;
 * there is no console-wide pause, which would only let anyone block every invitee.
 */
export const WRONG_LINK_LIMITS: ThrottleLimits = {
  maxFailuresPerAddress: 10,
  addressWindowMs: 15 * 60 * 1000,
  maxFailuresGlobal: Infinity,
  globalWindowMs: 60 * 1000,
};

/** "3 min", or "40 s" under a minute. */
export function waitInWords(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** 429 `rate_limited`, carrying how long to wait (the answer's Retry-After). */
export class RateLimitedError extends HttpError {
  declare readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, fields: FieldViolation[] = []) {
    super(429, 'rate_limited', message, fields, retryAfterSeconds);
  }
}

/** A counter of `max` within `windowMs` per key: the sign-in throttle's windows, without its console-wide one. */
function counter(max: number, windowMs: number, now: () => number): SignInThrottle {
  return new SignInThrottle(
    { maxFailuresPerAddress: max, addressWindowMs: windowMs, maxFailuresGlobal: Infinity, globalWindowMs: windowMs },
    now,
  );
}

/**
 * Counts invitation emails in memory, as the sign-in throttle counts wrong passwords (its windows
 * start at their first email and last `windowMs`): each console replica counts on its own.
 */
export class InvitationLimiter {
  private readonly workspaces: SignInThrottle;
  private readonly inviters: SignInThrottle;
  private readonly addresses: SignInThrottle;

  constructor(
    private readonly limits: InvitationLimits = DEFAULT_INVITATION_LIMITS,
    now: () => number = Date.now,
  ) {
    this.workspaces = counter(limits.perWorkspace, limits.windowMs, now);
    this.inviters = counter(limits.perInviter, limits.windowMs, now);
    this.addresses = counter(1, limits.perAddressMs, now);
  }

  /**
   * Counts one email before it is sent, checked and counted in one step so that requests at once
   * cannot all slip under a limit; throws RateLimitedError (counting nothing) when a limit is reached.
   */
  take(input: { workspaceId: string; inviter: string; email: string }): void {
    const email = normalizeEmail(input.email);
    const inviter = normalizeEmail(input.inviter);
    const perAddress = waitInWords(this.limits.perAddressMs / 1000);
    const refusals: RateLimitedError[] = [];
    const address = this.addresses.wait(email, input.workspaceId);
    if (address) {
      const wait = waitInWords(address.seconds);
      refusals.push(
        new RateLimitedError(
          `${email} was sent an invitation to this workspace less than ${perAddress} ago: send it again in ${wait}`,
          address.seconds,
          [{ field: 'email', message: `was sent an invitation less than ${perAddress} ago: try again in ${wait}` }],
        ),
      );
    }
    const byInviter = this.inviters.wait(inviter, '');
    if (byInviter) {
      refusals.push(
        new RateLimitedError(
          `you have sent ${this.limits.perInviter} invitation emails within ${this.window()}, the most this console ` +
            `allows one person: try again in ${waitInWords(byInviter.seconds)}`,
          byInviter.seconds,
        ),
      );
    }
    const byWorkspace = this.workspaces.wait(input.workspaceId, '');
    if (byWorkspace) {
      refusals.push(
        new RateLimitedError(
          `this workspace has sent ${this.limits.perWorkspace} invitation emails within ${this.window()}, the most ` +
            `this console allows: try again in ${waitInWords(byWorkspace.seconds)}`,
          byWorkspace.seconds,
        ),
      );
    }
    // Sending waits for every limit: the answer names the one that lasts longest.
    const longest = refusals.sort((a, b) => b.retryAfterSeconds - a.retryAfterSeconds)[0];
    if (longest) throw longest;
    this.addresses.recordFailure(email, input.workspaceId);
    this.inviters.recordFailure(inviter, '');
    this.workspaces.recordFailure(input.workspaceId, '');
  }

  /**
   * An email counted but not sent (SMTP refused it, or nothing was saved): the address may be
   * invited again at once. The hourly counts keep it, so failing sends cannot reset them.
   */
  unsent(input: { workspaceId: string; email: string }): void {
    this.addresses.recordSuccess(normalizeEmail(input.email), input.workspaceId);
  }

  private window(): string {
    return this.limits.windowMs === 60 * 60 * 1000 ? 'an hour' : waitInWords(this.limits.windowMs / 1000);
  }
}

/** Tests move time past a window: the clock of this process's invitation limits (Date.now when unset). */
let testClock: (() => number) | undefined;

export function setInvitationClockForTests(now: (() => number) | undefined): void {
  testClock = now;
}

export const invitationClock = (): number => (testClock ?? Date.now)();

/** One limiter per console, by its mailer: the limits are on the mail it sends. */
const limiters = new WeakMap<Mailer, InvitationLimiter>();

export function invitationLimiter(mailer: Mailer): InvitationLimiter {
  let limiter = limiters.get(mailer);
  if (!limiter) {
    limiter = new InvitationLimiter(DEFAULT_INVITATION_LIMITS, invitationClock);
    limiters.set(mailer, limiter);
  }
  return limiter;
}
