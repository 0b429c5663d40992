import { z } from 'zod';
import {
  defineAction,
  DropEventError,
  joinUrl,
  jsonRequest,
  lenient,
  Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { coalesce, isoDateTime, optionalText, record } from '../common/fields';
import { consent, customVariables } from './conversion-extras';
import { userIdentifiers } from './identifiers';
import { googleAdsSettings, type GoogleAdsSettings } from './settings';

// Track → a click conversion uploaded to the account's conversion action
// (customers/{id}:uploadClickConversions): an offline click conversion when the event carries a
// gclid (or gbraid/wbraid), an enhanced conversion for leads when it carries an email or phone
// (hashed), or both. `partialFailure` is always on: Google answers per conversion, and only the
// refused ones are rejected.

export const MAX_CONVERSIONS = 2000;

const fields = z.object({
  conversionActionId: optionalText(),
  conversionDateTime: isoDateTime(),
  gclid: optionalText(),
  gbraid: optionalText(),
  wbraid: optionalText(),
  email: optionalText(),
  phone: optionalText(),
  orderId: optionalText(),
  value: lenient.number(),
  currency: lenient.currency(),
  adUserDataConsent: z.unknown().optional(),
  adPersonalizationConsent: z.unknown().optional(),
  customVariables: record(),
});

type ConversionPayload = z.output<typeof fields>;

/** `2026-11-30T14:05:09.123Z` → `2026-11-30 14:05:09+00:00` (UTC; Google takes no fraction). */
export function conversionDateTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

export function clickConversion(
  payload: ConversionPayload,
  settings: GoogleAdsSettings,
  notices: Notices,
): Record<string, unknown> {
  const clickIds = (['gclid', 'gbraid', 'wbraid'] as const).filter((k) => payload[k]);
  // Google takes one click id per conversion: the gclid first.
  for (const extra of clickIds.slice(1))
    notices.dropped(extra, `Google takes one click id per conversion (${clickIds[0]} sent)`);
  const identifiers = userIdentifiers(payload.email, payload.phone, settings.defaultPhoneCountryCode, notices);
  if (clickIds.length === 0 && identifiers.length === 0) {
    throw new DropEventError(
      'INVALID_PAYLOAD',
      'a Google Ads conversion needs a click id (gclid, gbraid, wbraid) or an email or phone to match',
    );
  }
  const action = payload.conversionActionId ?? settings.conversionActionId;
  if (!/^\d+$/.test(action))
    throw new DropEventError('INVALID_PAYLOAD', `conversion action id ${JSON.stringify(action)} is not a number`);
  const conversion: Record<string, unknown> = {
    conversionAction: `customers/${settings.customerId}/conversionActions/${action}`,
    conversionDateTime: conversionDateTime(payload.conversionDateTime),
  };
  if (clickIds[0]) conversion[clickIds[0]] = payload[clickIds[0]];
  if (identifiers.length > 0) conversion['userIdentifiers'] = identifiers;
  if (payload.orderId) conversion['orderId'] = payload.orderId;
  if (payload.value !== undefined) conversion['conversionValue'] = payload.value;
  if (payload.currency !== undefined) conversion['currencyCode'] = payload.currency;
  const consents = consent(payload.adUserDataConsent, payload.adPersonalizationConsent, notices);
  if (consents) conversion['consent'] = consents;
  const variables = customVariables(payload.customVariables, settings.customVariables, settings.customerId, notices);
  if (variables) conversion['customVariables'] = variables;
  return conversion;
}

function headers(settings: GoogleAdsSettings): Record<string, string> {
  return {
    'developer-token': settings.developerToken,
    ...(settings.loginCustomerId ? { 'login-customer-id': settings.loginCustomerId } : {}),
  };
}

/** One upload per 2000 conversions; `itemEvents` maps each conversion back to its event. */
export function uploadRequests(
  conversions: Record<string, unknown>[],
  events: number[],
  settings: GoogleAdsSettings,
): RequestDescriptor[] {
  const url = joinUrl(
    settings.apiBaseUrl,
    `/${settings.apiVersion}/customers/${settings.customerId}:uploadClickConversions`,
  );
  const requests: RequestDescriptor[] = [];
  for (let start = 0; start < conversions.length; start += MAX_CONVERSIONS) {
    const chunk = conversions.slice(start, start + MAX_CONVERSIONS);
    requests.push({
      ...jsonRequest('POST', url, { conversions: chunk, partialFailure: true }, headers(settings)),
      itemEvents: events.slice(start, start + MAX_CONVERSIONS),
    });
  }
  return requests;
}

export const uploadClickConversion = defineAction(googleAdsSettings, {
  title: 'Upload click conversion',
  description: 'Track: a conversion of the conversion action, matched by click id and/or hashed email and phone.',
  fields,
  defaultMapping: {
    conversionDateTime: coalesce('$.timestamp', '$.receivedAt'),
    gclid: { '@path': '$.properties.gclid' },
    gbraid: { '@path': '$.properties.gbraid' },
    wbraid: { '@path': '$.properties.wbraid' },
    email: coalesce('$.properties.email', '$.context.traits.email'),
    phone: coalesce('$.properties.phone', '$.context.traits.phone'),
    orderId: coalesce('$.properties.order_id', '$.properties.orderId'),
    value: coalesce('$.properties.total', '$.properties.revenue'),
    currency: { '@path': '$.properties.currency' },
    adUserDataConsent: coalesce('$.properties.ad_user_data_consent', '$.context.consent.ad_user_data'),
    adPersonalizationConsent: coalesce(
      '$.properties.ad_personalization_consent',
      '$.context.consent.ad_personalization',
    ),
    customVariables: { '@path': '$.properties' },
  },
  perform: (payload, settings, notices) => uploadRequests([clickConversion(payload, settings, notices)], [0], settings),
  batch: {
    maxEvents: MAX_CONVERSIONS,
    size: (settings) => settings.batchSize,
    perform: (payloads, settings, notices) =>
      uploadRequests(
        payloads.map((p, i) => clickConversion(p, settings, notices[i] ?? new Notices())),
        payloads.map((_p, i) => i),
        settings,
      ),
  },
});
