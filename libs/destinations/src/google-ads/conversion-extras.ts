import { coerce, type Notices } from '@manifold/destination-kit';

// What a ClickConversion carries beyond the click and the value: the user's consent for ad user
// data and ad personalisation (Google's ConsentStatus values), and the account's conversion custom
// variables, each named in the settings with its id. Google takes these as they are; a value it
// cannot take is left out with a notice, never the conversion.

const CONSENT = ['GRANTED', 'DENIED', 'UNSPECIFIED'] as const;
type ConsentStatus = (typeof CONSENT)[number];

/** `granted`/`DENIED` as written, and a boolean (true granted, false denied) converted with a notice. */
export function consentStatus(value: unknown, field: string, notices: Notices): ConsentStatus | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') {
    const status = value ? 'GRANTED' : 'DENIED';
    notices.converted(field, 'boolean', 'string');
    return status;
  }
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
  const found = CONSENT.find((status) => status === upper);
  if (!found) notices.dropped(field, 'not GRANTED, DENIED or UNSPECIFIED');
  return found;
}

export function consent(
  adUserData: unknown,
  adPersonalization: unknown,
  notices: Notices,
): Record<string, ConsentStatus> | undefined {
  const out: Record<string, ConsentStatus> = {};
  const userData = consentStatus(adUserData, 'consent.adUserData', notices);
  const personalization = consentStatus(adPersonalization, 'consent.adPersonalization', notices);
  if (userData) out['adUserData'] = userData;
  if (personalization) out['adPersonalization'] = personalization;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The values of the custom variables the settings name (name → conversion custom variable id),
 * taken from `values` by name, as strings. Values that are not text (objects, lists) are left out
 * with a notice; names the settings do not list are ordinary properties, not variables.
 */
export function customVariables(
  values: Record<string, unknown>,
  variableIds: Record<string, string>,
  customerId: string,
  notices: Notices,
): { conversionCustomVariable: string; value: string }[] | undefined {
  const list: { conversionCustomVariable: string; value: string }[] = [];
  for (const [name, id] of Object.entries(variableIds)) {
    if (values[name] === undefined || values[name] === null) continue;
    const value = notices.coerce(`customVariables[${name}]`, values[name], coerce.string);
    if (value === undefined) continue;
    list.push({ conversionCustomVariable: `customers/${customerId}/conversionCustomVariables/${id}`, value });
  }
  return list.length > 0 ? list : undefined;
}
