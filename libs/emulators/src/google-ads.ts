import { randomInt } from 'node:crypto';
import { isPlainObject } from '@manifold/json';
import {
  Emulator,
  mediaType,
  parseJson,
  type EmulatorOptions,
  type EmulatorRequest,
  type EmulatorResponse,
} from './emulator';
import { conversionProblem, MAX_CONVERSIONS, unparseableField, type ConversionProblem } from './google-ads-validation';
import { OAuthProvider, type OAuthProviderOptions } from './oauth-provider';

// The Google Ads API's click conversion uploads (`POST /vNN/customers/{id}:uploadClickConversions`)
// with Google's OAuth 2.0 authorization server on the same port (`/o/oauth2/v2/auth`, `/token`).
// Every call needs a live Bearer token and the developer token; `login-customer-id`, when sent,
// is 10 digits. `partialFailure: true` is required: each refused conversion comes back in the 200's
// `partialFailureError` at its `conversions[index]`, the others are recorded.

export interface GoogleAdsEmulatorOptions extends EmulatorOptions {
  oauth: Omit<OAuthProviderOptions, 'authorizePath' | 'tokenPath'>;
  developerToken: string;
  /** The accounts the token's user may upload to (10 digits). */
  customerIds: readonly string[];
  /** Ids of the "Import from clicks" conversion actions (of every customer). */
  conversionActions: readonly string[];
  /** Ids of the conversion custom variables (of every customer); none unless told. */
  customVariables?: readonly string[];
  /** Versions served (v22–v26 unless told). */
  versions?: readonly string[];
  /**
   * When the clicks the test knows were made (click id → ms since the epoch, on the emulator's
   * clock): a conversion of a click less than 6 hours old is refused with TOO_RECENT_EVENT, as
   * Google does (uploaded again once 6 hours have passed, it is taken).
   */
  clickTimes?: Readonly<Record<string, number>>;
}

/** How old a click must be before Google takes a conversion of it. */
const CLICK_PROCESSING_MS = 6 * 3600 * 1000;

export interface GoogleAdsConversion {
  customerId: string;
  conversion: Record<string, unknown>;
}

export class GoogleAdsEmulator extends Emulator {
  readonly oauth: OAuthProvider;
  /** Conversions accepted, in order. */
  readonly conversions: GoogleAdsConversion[] = [];
  private readonly keys = new Set<string>();
  private readonly orderIds = new Set<string>();

  constructor(private readonly options: GoogleAdsEmulatorOptions) {
    super(options);
    this.oauth = new OAuthProvider(
      { ...options.oauth, authorizePath: '/o/oauth2/v2/auth', tokenPath: '/token' },
      this.now,
    );
  }

  protected clearAccepted(): void {
    this.conversions.length = 0;
    this.keys.clear();
    this.orderIds.clear();
  }

  protected handle(request: EmulatorRequest): EmulatorResponse {
    const oauth = this.oauth.handle(request);
    if (oauth) return oauth;
    const match = /^\/(v\d+)\/customers\/([^/:]+):uploadClickConversions$/.exec(request.path);
    const versions = this.options.versions ?? ['v22', 'v23', 'v24', 'v25', 'v26'];
    if (!match || !versions.includes(match[1]!)) return rpcError(404, 'NOT_FOUND', `Unknown path ${request.path}`);
    const bearer = this.oauth.checkBearer(request.headers.authorization);
    if (bearer !== 'valid') {
      return rpcError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.', {
        authenticationError: bearer === 'expired' ? 'OAUTH_TOKEN_EXPIRED' : 'OAUTH_TOKEN_INVALID',
      });
    }
    if (request.headers['developer-token'] !== this.options.developerToken) {
      return rpcError(403, 'PERMISSION_DENIED', 'The developer token is not valid.', {
        authenticationError: 'DEVELOPER_TOKEN_INVALID',
      });
    }
    const login = request.headers['login-customer-id'];
    if (login !== undefined && !/^\d{10}$/.test(String(login))) {
      return rpcError(400, 'INVALID_ARGUMENT', 'login-customer-id must be 10 digits without dashes.', {
        requestError: 'INVALID_CUSTOMER_ID',
      });
    }
    const customerId = match[2]!;
    if (!/^\d{10}$/.test(customerId)) {
      return rpcError(400, 'INVALID_ARGUMENT', 'The customer id must be 10 digits without dashes.', {
        requestError: 'INVALID_CUSTOMER_ID',
      });
    }
    if (!this.options.customerIds.includes(customerId)) {
      return rpcError(403, 'PERMISSION_DENIED', 'The caller does not have permission to access this customer.', {
        authorizationError: 'USER_PERMISSION_DENIED',
      });
    }
    if (request.method !== 'POST' || mediaType(request.headers) !== 'application/json') {
      return rpcError(400, 'INVALID_ARGUMENT', 'POST a JSON body.', { requestError: 'INVALID_INPUT' });
    }
    const body = parseJson(request.body);
    if (!isPlainObject(body))
      return rpcError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', { requestError: 'INVALID_INPUT' });
    if (body['partialFailure'] !== true) {
      return rpcError(400, 'INVALID_ARGUMENT', 'partialFailure must be true for this method.', {
        partialFailureError: 'PARTIAL_FAILURE_MODE_REQUIRED',
      });
    }
    const conversions = body['conversions'];
    if (!Array.isArray(conversions) || conversions.length === 0) {
      return rpcError(400, 'INVALID_ARGUMENT', 'conversions is required.', { fieldError: 'REQUIRED' });
    }
    if (conversions.length > MAX_CONVERSIONS) {
      return rpcError(400, 'INVALID_ARGUMENT', `At most ${MAX_CONVERSIONS} conversions per request.`, {
        conversionUploadError: 'TOO_MANY_CONVERSIONS_IN_REQUEST',
      });
    }
    const unparseable = unparseableField(conversions);
    if (unparseable) {
      return rpcError(400, 'INVALID_ARGUMENT', `Invalid value at '${unparseable}'.`, { requestError: 'INVALID_INPUT' });
    }
    return this.upload(customerId, conversions, body['validateOnly'] === true);
  }

  private upload(customerId: string, conversions: unknown[], validateOnly: boolean): EmulatorResponse {
    const errors: (ConversionProblem & { location: unknown })[] = [];
    const results: Record<string, unknown>[] = [];
    conversions.forEach((conversion, index) => {
      const found =
        conversionProblem(conversion, customerId, this.options.conversionActions, this.options.customVariables) ??
        this.tooRecent(conversion) ??
        this.duplicate(conversion);
      if (found) {
        errors.push({ ...found, location: { fieldPathElements: [{ fieldName: 'conversions', index }] } });
        results.push({});
        return;
      }
      const c = conversion as Record<string, unknown>;
      if (!validateOnly) {
        this.remember(c);
        this.conversions.push({ customerId, conversion: c });
      }
      results.push({
        conversionAction: c['conversionAction'],
        conversionDateTime: c['conversionDateTime'],
        ...(c['gclid'] ? { gclid: c['gclid'] } : {}),
        ...(c['userIdentifiers'] ? { userIdentifiers: c['userIdentifiers'] } : {}),
      });
    });
    const partialFailureError =
      errors.length === 0
        ? undefined
        : {
            code: 3,
            message: errors.map((e) => e.message).join(', '),
            details: [
              {
                '@type': 'type.googleapis.com/google.ads.googleads.v22.errors.GoogleAdsFailure',
                errors,
                requestId: String(randomInt(1e9)),
              },
            ],
          };
    return {
      status: 200,
      body: {
        ...(partialFailureError ? { partialFailureError } : {}),
        ...(validateOnly ? {} : { results }),
        jobId: String(2 ** 31 + randomInt(1e9)),
      },
    };
  }

  /** A click Google has not processed yet (less than 6 hours old): refused for now, not for good. */
  private tooRecent(conversion: unknown): ConversionProblem | undefined {
    const c = conversion as Record<string, unknown>;
    const click = c['gclid'] ?? c['gbraid'] ?? c['wbraid'];
    const clickedAt = typeof click === 'string' ? this.options.clickTimes?.[click] : undefined;
    if (clickedAt === undefined || this.now() - clickedAt >= CLICK_PROCESSING_MS) return undefined;
    return {
      errorCode: { conversionUploadError: 'TOO_RECENT_EVENT' },
      message: 'The click associated with the given identifier occurred less than 6 hours ago, retry after 6 hours.',
    };
  }

  /** The same click (or identifiers) and time for the same action, or the same order id: refused. */
  private duplicate(conversion: unknown): ConversionProblem | undefined {
    const c = conversion as Record<string, unknown>;
    if (this.keys.has(key(c))) {
      return {
        errorCode: { conversionUploadError: 'CLICK_CONVERSION_ALREADY_EXISTS' },
        message: 'This conversion was already uploaded.',
      };
    }
    if (c['orderId'] !== undefined && this.orderIds.has(`${String(c['conversionAction'])}|${String(c['orderId'])}`)) {
      // The enum name for a repeated order id is not documented; this is the emulator's choice.
      return {
        errorCode: { conversionUploadError: 'DUPLICATE_ORDER_ID' },
        message: 'A conversion with this order id exists.',
      };
    }
    return undefined;
  }

  private remember(c: Record<string, unknown>): void {
    this.keys.add(key(c));
    if (c['orderId'] !== undefined) this.orderIds.add(`${String(c['conversionAction'])}|${String(c['orderId'])}`);
  }
}

function key(c: Record<string, unknown>): string {
  const click = c['gclid'] ?? c['gbraid'] ?? c['wbraid'] ?? JSON.stringify(c['userIdentifiers']);
  return `${String(c['conversionAction'])}|${String(click)}|${String(c['conversionDateTime'])}`;
}

/** An RPC-level error: non-2xx `{error: {code, message, status, details: [GoogleAdsFailure]}}`. */
function rpcError(
  status: number,
  grpcStatus: string,
  message: string,
  errorCode?: Record<string, string>,
): EmulatorResponse {
  return {
    status,
    body: {
      error: {
        code: status,
        message,
        status: grpcStatus,
        ...(errorCode
          ? {
              details: [
                {
                  '@type': 'type.googleapis.com/google.ads.googleads.v22.errors.GoogleAdsFailure',
                  errors: [{ errorCode, message }],
                },
              ],
            }
          : {}),
      },
    },
  };
}
