import { joinUrl, jsonRequest, Notices, type RequestDescriptor } from '@manifold/destination-kit';
import type { HubspotValue } from './properties';
import { authHeaders, type HubspotSettings } from './settings';

// POST /crm/v3/objects/<object>/batch/upsert: at most 100 inputs, each naming its record by a
// unique property (`idProperty`) and its value (`id`). HubSpot refuses a whole batch that names the
// same record twice, so a second event for the same record goes in a request of its own.

export type CrmObject = 'contacts' | 'companies';
export const MAX_INPUTS = 100;

export interface UpsertInput {
  idProperty: string;
  id: string;
  properties: Record<string, HubspotValue>;
}

/** Requests for one input per event; `itemEvents` maps each input back to its event. */
export function batchUpsertRequests(
  object: CrmObject,
  inputs: readonly UpsertInput[],
  settings: HubspotSettings,
): RequestDescriptor[] {
  // Round r holds each record's r-th input: no request names a record twice.
  const rounds: { input: UpsertInput; event: number }[][] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, event) => {
    const key = `${input.idProperty}\u0000${object === 'contacts' ? input.id.toLowerCase() : input.id}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push({ input, event });
  });
  const url = joinUrl(settings.apiBaseUrl, `/crm/v3/objects/${object}/batch/upsert`);
  const requests: RequestDescriptor[] = [];
  for (const round of rounds) {
    for (let start = 0; start < round.length; start += MAX_INPUTS) {
      const chunk = round.slice(start, start + MAX_INPUTS);
      requests.push({
        ...jsonRequest('POST', url, { inputs: chunk.map((c) => c.input) }, authHeaders(settings)),
        itemEvents: chunk.map((c) => c.event),
      });
    }
  }
  return requests;
}

/** `perform` + `batch` of an action whose events each become one upsert input. */
export function upsertAction<P>(
  object: CrmObject,
  toInput: (payload: P, settings: HubspotSettings, notices: Notices) => UpsertInput,
) {
  return {
    perform: (payload: P, settings: HubspotSettings, notices: Notices) =>
      batchUpsertRequests(object, [toInput(payload, settings, notices)], settings),
    batch: {
      maxEvents: MAX_INPUTS,
      size: (settings: HubspotSettings) => settings.batchSize,
      perform: (payloads: P[], settings: HubspotSettings, notices: readonly Notices[]) =>
        batchUpsertRequests(
          object,
          payloads.map((p, i) => toInput(p, settings, notices[i] ?? new Notices())),
          settings,
        ),
    },
  };
}
