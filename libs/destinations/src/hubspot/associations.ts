import {
  isPlainObject,
  joinUrl,
  jsonRequest,
  parseJsonBody,
  type HttpResponseInfo,
  type Notices,
  type RequestDescriptor,
} from '@manifold/destination-kit';
import { refusalMessage } from './classify-response';
import { authHeaders, type HubspotSettings } from './settings';

// A group call's company associated with the contact of the call (Segment's upsertCompany does
// the same). HubSpot's association endpoints take record ids, not emails or groupIds, so after the
// company upsert the flow reads the companies by their id property and the contacts by email,
// then creates the default company → contact association of each pair in one batch
// (POST /crm/v4/associations/companies/contacts/batch/associate/default). A contact that does not
// exist yet is not created here (identify creates contacts): its event is delivered with a notice.
// Every step is a read or an idempotent write, so a retry may start the flow over. The steps after
// the upsert are optional (FollowUpStep.optional): one HubSpot refuses for good (a token without
// the read scopes: 403 MISSING_SCOPES) leaves the companies saved and their events delivered, each
// with a notice that its company was not associated, rather than dead-lettering the batch.

export const COMPANY_SAVED = 'company-saved';
export const COMPANIES_READ = 'companies-read';
export const CONTACTS_READ = 'contacts-read';
export const ASSOCIATED = 'associated';

/** One company of the upsert request to associate with one contact, and the event behind it. */
interface Link {
  event: number;
  groupId: string;
  email: string;
  companyId?: string;
  contactId?: string;
}

interface FlowState {
  idProperty: string;
  links: Link[];
}

const NOT_ASSOCIATED = 'the company is not associated with the contact';

/** The company upsert request with the association flow after it, when events name a contact. */
export function withAssociation(
  request: RequestDescriptor,
  contactEmails: readonly (string | undefined)[],
  idProperty: string,
): RequestDescriptor {
  const inputs = (parseJsonBody(request.body ?? '') as { inputs: { id: string }[] }).inputs;
  const events = request.itemEvents ?? inputs.map((_input, index) => index);
  const links: Link[] = [];
  inputs.forEach((input, item) => {
    const event = events[item] as number;
    const email = contactEmails[event];
    if (email) links.push({ event, groupId: input.id, email });
  });
  if (links.length === 0) return request;
  return { ...request, followUp: { step: COMPANY_SAVED, state: { idProperty, links } satisfies FlowState } };
}

/** `{ results: [{ id, properties }] }` of a batch read or upsert answer. */
function results(response: HttpResponseInfo): { id: string; properties: Record<string, unknown> }[] {
  const body = parseJsonBody(response.body);
  const list = isPlainObject(body) && Array.isArray(body['results']) ? body['results'] : [];
  return list.filter(isPlainObject).map((r) => ({
    id: String(r['id']),
    properties: isPlainObject(r['properties']) ? r['properties'] : {},
  }));
}

function batchRead(
  object: 'companies' | 'contacts',
  idProperty: string,
  ids: readonly string[],
  step: string,
  state: FlowState,
  settings: HubspotSettings,
): RequestDescriptor {
  const body = { idProperty, properties: [idProperty], inputs: ids.map((id) => ({ id })) };
  return {
    ...jsonRequest(
      'POST',
      joinUrl(settings.apiBaseUrl, `/crm/v3/objects/${object}/batch/read`),
      body,
      authHeaders(settings),
    ),
    followUp: { step, state, optional: true },
  };
}

/** What each step after the upsert asks of HubSpot, for a notice when it refuses. */
const STEP_REQUESTS: Readonly<Record<string, string>> = {
  [COMPANIES_READ]: 'reading the companies',
  [CONTACTS_READ]: 'reading the contacts',
  [ASSOCIATED]: 'the association',
};

const unique = (values: string[]) => [...new Set(values)];

/** The next step of the association flow after the answer to `request`. */
export function associationFollowUp(
  response: HttpResponseInfo,
  request: RequestDescriptor,
  settings: HubspotSettings,
  notices: Notices,
): RequestDescriptor[] {
  const { idProperty, links } = request.followUp?.state as FlowState;
  const skip = (link: Link, why: string) =>
    notices.forEvent(link.event).dropped('contact', `${NOT_ASSOCIATED}: ${why}`);
  const step = request.followUp?.step ?? '';
  if (response.status < 200 || response.status > 299) {
    // An optional step refused for good (the kit calls this only then): the flow ends here.
    const refusal = refusalMessage(response) ?? `HTTP ${response.status}`;
    for (const link of links) skip(link, `HubSpot refused ${STEP_REQUESTS[step] ?? step}: ${refusal}`);
    return [];
  }
  switch (step) {
    case COMPANY_SAVED: {
      // Some companies refused (a 207): those events are rejected by the upsert's answer, which
      // stays the flow's outcome; the others go without their association.
      if (response.status !== 200) {
        for (const link of links) skip(link, 'HubSpot refused a company of the same batch');
        return [];
      }
      const groupIds = unique(links.map((l) => l.groupId));
      return [batchRead('companies', idProperty, groupIds, COMPANIES_READ, { idProperty, links }, settings)];
    }
    case COMPANIES_READ: {
      const byGroupId = new Map(results(response).map((r) => [String(r.properties[idProperty]), r.id]));
      const found: Link[] = [];
      for (const link of links) {
        const companyId = byGroupId.get(link.groupId);
        if (companyId) found.push({ ...link, companyId });
        else skip(link, 'HubSpot did not find the company just saved');
      }
      if (found.length === 0) return [];
      const emails = unique(found.map((l) => l.email.toLowerCase()));
      return [batchRead('contacts', 'email', emails, CONTACTS_READ, { idProperty, links: found }, settings)];
    }
    case CONTACTS_READ: {
      const byEmail = new Map(results(response).map((r) => [String(r.properties['email']).toLowerCase(), r.id]));
      const pairs: Link[] = [];
      for (const link of links) {
        const contactId = byEmail.get(link.email.toLowerCase());
        if (contactId) pairs.push({ ...link, contactId });
        else skip(link, `no HubSpot contact has the email ${link.email} (identify creates contacts)`);
      }
      if (pairs.length === 0) return [];
      const inputs = unique(pairs.map((p) => `${p.companyId}\u0000${p.contactId}`)).map((key) => {
        const [company, contact] = key.split('\u0000');
        return { from: { id: company }, to: { id: contact } };
      });
      return [
        {
          ...jsonRequest(
            'POST',
            joinUrl(settings.apiBaseUrl, '/crm/v4/associations/companies/contacts/batch/associate/default'),
            { inputs },
            authHeaders(settings),
          ),
          followUp: { step: ASSOCIATED, state: { idProperty, links: pairs } satisfies FlowState, optional: true },
        },
      ];
    }
    case ASSOCIATED: {
      // A 207 names the pairs HubSpot did not associate: their events say so.
      const body = parseJsonBody(response.body);
      const errors = isPlainObject(body) && Array.isArray(body['errors']) ? body['errors'].filter(isPlainObject) : [];
      for (const error of errors) {
        const context = isPlainObject(error['context']) ? error['context'] : {};
        const ids = Object.values(context).flat().map(String);
        for (const link of links) {
          if (ids.includes(String(link.companyId)) || ids.includes(String(link.contactId))) {
            skip(link, `HubSpot refused the association: ${String(error['message'] ?? error['category'] ?? '')}`);
          }
        }
      }
      return [];
    }
    default:
      return [];
  }
}
