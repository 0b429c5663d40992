// Access tokens of OAuth-connected instances, for the deliverer. The control plane holds the
// refresh tokens and refreshes (once per instance across every replica, under a lease); this keeps
// each instance's current token until the control plane said to ask again, and asks once at a
// time per instance however many requests want it.

/** The control plane's GetOAuthAccessToken, as the translator calls it. */
export type AccessTokenSource = (request: {
  destinationId: string;
  rejectedToken?: string;
}) => Promise<{ accessToken: string; refreshAfter?: Date | undefined }>;

export type TokenResult =
  | { ok: true; token: string }
  /**
   * No token to send with: the instance needs reconnecting (the provider refused the refresh
   * token), is not connected, or the control plane could not be asked. Its events wait in the
   * retry tiers (and are dead-lettered, redrivable, once the retry window is over).
   */
  | { ok: false; reason: string; message: string };

/** gRPC's status code for "the instance is not in a state to give one" (not connected, reconnect needed). */
const FAILED_PRECONDITION = 9;

interface Cached {
  token: string;
  refreshAfter: number;
}

export class AccessTokens {
  private readonly cached = new Map<string, Cached>();
  private readonly asking = new Map<string, Promise<TokenResult>>();

  constructor(
    private readonly source: AccessTokenSource | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The instance's current token (asked for when none is held or its time to refresh came). */
  token(instanceId: string): Promise<TokenResult> {
    const cached = this.cached.get(instanceId);
    if (cached && cached.refreshAfter > this.now()) return Promise.resolve({ ok: true, token: cached.token });
    return this.ask(instanceId, undefined);
  }

  /** A token other than `rejected`, which the API just refused (a 401). */
  replace(instanceId: string, rejected: string): Promise<TokenResult> {
    const cached = this.cached.get(instanceId);
    if (cached && cached.token !== rejected && cached.refreshAfter > this.now()) {
      return Promise.resolve({ ok: true, token: cached.token });
    }
    return this.ask(instanceId, rejected);
  }

  private ask(instanceId: string, rejected: string | undefined): Promise<TokenResult> {
    const pending = this.asking.get(instanceId);
    if (pending) return pending;
    const asked = this.fetch(instanceId, rejected).finally(() => this.asking.delete(instanceId));
    this.asking.set(instanceId, asked);
    return asked;
  }

  private async fetch(instanceId: string, rejected: string | undefined): Promise<TokenResult> {
    if (!this.source) {
      return {
        ok: false,
        reason: 'OAUTH_UNAVAILABLE',
        message: 'this translator has no control plane to ask for tokens',
      };
    }
    try {
      const answer = await this.source({ destinationId: instanceId, ...(rejected ? { rejectedToken: rejected } : {}) });
      const refreshAfter = answer.refreshAfter?.getTime() ?? this.now();
      this.cached.set(instanceId, { token: answer.accessToken, refreshAfter });
      return { ok: true, token: answer.accessToken };
    } catch (error) {
      this.cached.delete(instanceId);
      const code = (error as { code?: unknown }).code;
      const details = String((error as { details?: unknown }).details ?? (error as Error).message ?? error);
      if (code === FAILED_PRECONDITION) {
        return {
          ok: false,
          reason: details.startsWith('reconnect needed') ? 'OAUTH_RECONNECT_NEEDED' : 'OAUTH_NOT_CONNECTED',
          message: details,
        };
      }
      return { ok: false, reason: 'OAUTH_UNAVAILABLE', message: details };
    }
  }
}
