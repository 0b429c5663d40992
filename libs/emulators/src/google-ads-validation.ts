import { isPlainObject } from '@manifold/json';

// What the Google Ads API checks of one ClickConversion of an upload: the conversion action is a
// resource name of this customer's known actions, the date-time has Google's format, at most one
// click id, at most five user identifiers each a lowercase SHA-256 digest of one supported kind,
// and a click id or an identifier to match. Each problem names Google's error code.

export const MAX_CONVERSIONS = 2000;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** ISO 4217 codes (the runtime's list, from ICU). */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export interface ConversionProblem {
  /** `{ <error enum>: <value> }`, as Google's `errorCode`. */
  errorCode: Record<string, string>;
  message: string;
}

const problem = (kind: string, code: string, message: string): ConversionProblem => ({
  errorCode: { [kind]: code },
  message,
});

const CONSENT_STATUSES = ['GRANTED', 'DENIED', 'UNSPECIFIED', 'UNKNOWN'];

/**
 * Fields whose JSON Google cannot even parse into a ClickConversion (an enum value it does not
 * have, a custom variable that is not `{conversionCustomVariable, value}` text): the whole request
 * fails with 400 INVALID_ARGUMENT, as proto JSON parsing does, before any conversion is looked at.
 */
export function unparseableField(conversions: readonly unknown[]): string | undefined {
  for (const [index, conversion] of conversions.entries()) {
    if (!isPlainObject(conversion)) continue;
    const consent = conversion['consent'];
    if (consent !== undefined) {
      if (!isPlainObject(consent)) return `conversions[${index}].consent`;
      for (const [key, value] of Object.entries(consent)) {
        if (!['adUserData', 'adPersonalization'].includes(key)) return `conversions[${index}].consent.${key}`;
        if (!CONSENT_STATUSES.includes(String(value))) return `conversions[${index}].consent.${key}`;
      }
    }
    const variables = conversion['customVariables'];
    if (variables === undefined) continue;
    if (!Array.isArray(variables)) return `conversions[${index}].customVariables`;
    for (const variable of variables) {
      const ok =
        isPlainObject(variable) &&
        typeof variable['conversionCustomVariable'] === 'string' &&
        typeof variable['value'] === 'string';
      if (!ok) return `conversions[${index}].customVariables`;
    }
  }
  return undefined;
}

export function conversionProblem(
  conversion: unknown,
  customerId: string,
  conversionActions: readonly string[],
  customVariables: readonly string[] = [],
): ConversionProblem | undefined {
  if (!isPlainObject(conversion)) return problem('requestError', 'BAD_RESOURCE_ID', 'A conversion must be an object.');
  const action = /^customers\/(\d{10})\/conversionActions\/(\d+)$/.exec(String(conversion['conversionAction'] ?? ''));
  if (!action || action[1] !== customerId || !conversionActions.includes(action[2]!)) {
    return problem(
      'conversionUploadError',
      'INVALID_CONVERSION_ACTION',
      'The conversion action is not an upload action of this customer.',
    );
  }
  if (!DATE_TIME.test(String(conversion['conversionDateTime'] ?? ''))) {
    return problem(
      'dateError',
      'INVALID_FIELD_VALUES_IN_DATE_TIME',
      'conversionDateTime must be yyyy-mm-dd hh:mm:ss+|-hh:mm.',
    );
  }
  const clickIds = ['gclid', 'gbraid', 'wbraid'].filter((k) => conversion[k] !== undefined && conversion[k] !== null);
  if (clickIds.length > 1) {
    // The exact enum for two click ids is not documented; this is the emulator's choice.
    return problem('conversionUploadError', 'MULTIPLE_CLICK_IDS', 'At most one of gclid, gbraid, wbraid may be set.');
  }
  const identifiers = conversion['userIdentifiers'];
  const list = Array.isArray(identifiers) ? identifiers : [];
  if (identifiers !== undefined && !Array.isArray(identifiers)) {
    return problem('fieldError', 'INVALID_VALUE', 'userIdentifiers must be a list.');
  }
  if (list.length > 5) {
    return problem('collectionSizeError', 'TOO_MANY', 'At most 5 user identifiers per conversion.');
  }
  for (const identifier of list) {
    const keys = isPlainObject(identifier) ? Object.keys(identifier).filter((k) => k !== 'userIdentifierSource') : [];
    const key = keys[0];
    if (keys.length !== 1 || (key !== 'hashedEmail' && key !== 'hashedPhoneNumber')) {
      return problem(
        'conversionUploadError',
        'UNSUPPORTED_USER_IDENTIFIER',
        'Only hashedEmail and hashedPhoneNumber identify click conversions.',
      );
    }
    if (!SHA256.test(String((identifier as Record<string, unknown>)[key]))) {
      return problem(
        'fieldError',
        'INVALID_VALUE',
        `${key} must be the lowercase hex SHA-256 of the normalised value.`,
      );
    }
  }
  if (clickIds.length === 0 && list.length === 0) {
    return problem('fieldError', 'REQUIRED', 'A click id or a user identifier is required.');
  }
  const value = conversion['conversionValue'];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    return problem('fieldError', 'INVALID_VALUE', 'conversionValue must be a number.');
  }
  const currency = conversion['currencyCode'];
  if (currency !== undefined && !CURRENCIES.has(String(currency))) {
    return problem('conversionUploadError', 'INVALID_CURRENCY_CODE', 'currencyCode must be an ISO 4217 code.');
  }
  for (const variable of (conversion['customVariables'] as Record<string, unknown>[] | undefined) ?? []) {
    // Google validates the variable by its id alone (the customer id in the name is ignored).
    const id = /^customers\/\d+\/conversionCustomVariables\/(\d+)$/.exec(String(variable['conversionCustomVariable']));
    if (!id || !customVariables.includes(id[1]!)) {
      // The exact enum for an unknown custom variable is not documented; this is the emulator's choice.
      return problem('mutateError', 'RESOURCE_NOT_FOUND', 'The conversion custom variable does not exist.');
    }
  }
  return undefined;
}
