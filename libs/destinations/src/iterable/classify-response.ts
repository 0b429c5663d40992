import {
  classifyHttpResponse,
  isPlainObject,
  parseJsonBody,
  type DeliveryOutcome,
  type HttpResponseInfo,
  type RequestDescriptor,
  type ResponseOutcome,
} from '@manifold/destination-kit';

// Iterable's bulk endpoints answer 200 even when some items failed, listing them by email,
// userId or event name (`invalidEmails`, `invalidUserIds`, `disallowedEventNames`, and the lists
// of `failedUpdates`): those items are rejected, the others delivered. Single calls answer 200
// `{"code": "Success"}`, or 4xx with `{msg, code, params}`.

const EMAIL_LISTS = ['invalidEmails', 'notFoundEmails', 'forgottenEmails', 'conflictEmails', 'invalidDataEmails'];
const USER_ID_LISTS = [
  'invalidUserIds',
  'notFoundUserIds',
  'forgottenUserIds',
  'conflictUserIds',
  'invalidDataUserIds',
];

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function failedItems(answer: Record<string, unknown>): Map<string, string> {
  const failed = new Map<string, string>();
  const updates = isPlainObject(answer['failedUpdates']) ? answer['failedUpdates'] : {};
  for (const list of EMAIL_LISTS) {
    for (const email of [...strings(answer[list]), ...strings(updates[list])]) failed.set(`email:${email}`, list);
  }
  for (const list of USER_ID_LISTS) {
    for (const id of [...strings(answer[list]), ...strings(updates[list])]) failed.set(`userId:${id}`, list);
  }
  for (const name of strings(answer['disallowedEventNames'])) failed.set(`eventName:${name}`, 'disallowedEventNames');
  return failed;
}

export function classifyIterableResponse(response: HttpResponseInfo, request: RequestDescriptor): ResponseOutcome {
  const generic = classifyHttpResponse(response);
  const answer = parseJsonBody(response.body);
  if (generic.kind !== 'delivered' || !isPlainObject(answer)) {
    if (generic.kind === 'dead-letter' && isPlainObject(answer) && typeof answer['code'] === 'string') {
      return { ...generic, message: `Iterable ${answer['code']}: ${String(answer['msg'] ?? '')}` };
    }
    return generic;
  }
  if (typeof answer['failCount'] !== 'number' || answer['failCount'] === 0) return generic;
  const sent = parseJsonBody(request.body ?? '');
  const list = isPlainObject(sent) ? (sent['users'] ?? sent['events']) : undefined;
  if (!Array.isArray(list)) return generic;
  const failed = failedItems(answer);
  const items: DeliveryOutcome[] = list.map((item: unknown) => {
    const fields = isPlainObject(item) ? item : {};
    const reason = ['email', 'userId', 'eventName']
      .map((key) => (typeof fields[key] === 'string' ? failed.get(`${key}:${fields[key]}`) : undefined))
      .find((r) => r !== undefined);
    return reason
      ? { kind: 'dead-letter', reason: 'REJECTED', status: response.status, message: `Iterable bulk: ${reason}` }
      : { kind: 'delivered', status: response.status };
  });
  return { kind: 'per-item', items };
}
