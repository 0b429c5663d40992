// What Kissmetrics' processing makes of one tracking call (libs/destinations/src/kissmetrics/README.md#the-api).
// The API answers 200 to everything, so these problems are only visible to tests, through the
// emulator's record of each call.

const MAX_NAME_CHARS = 255;
const MAX_VALUE_CHARS = 512;
/** Kissmetrics stores nothing dated before 2009. */
const EARLIEST_SECONDS = Date.parse('2009-01-01T00:00:00Z') / 1000;
export const RESERVED = new Set(['_k', '_p', '_n', '_t', '_d']);

/** Names and identities as Kissmetrics keeps them: `,` and `:` read as spaces, case-insensitive. */
export function normalName(name: string): string {
  return name.replace(/[,:]/g, ' ').toLowerCase();
}

/** Why Kissmetrics would drop or misread this call. */
export function callProblems(
  endpoint: string,
  params: Map<string, string>,
  apiKey: string,
  nowSeconds: number,
): string[] {
  const problems: string[] = [];
  const key = params.get('_k');
  if (key === undefined || key === '') problems.push('missing _k');
  else if (key !== apiKey) problems.push('unknown _k');
  const person = params.get('_p');
  if (person === undefined || person === '') problems.push('missing _p');
  else if (person.length > MAX_NAME_CHARS) problems.push(`_p longer than ${MAX_NAME_CHARS} characters`);
  if (endpoint !== '/s') {
    const name = params.get('_n');
    if (name === undefined || name === '') problems.push(`missing _n on ${endpoint}`);
    else if (name.length > MAX_NAME_CHARS) problems.push(`_n longer than ${MAX_NAME_CHARS} characters`);
  }
  const t = params.get('_t');
  if (t !== undefined) {
    if (!/^\d+$/.test(t)) problems.push('_t is not whole Unix seconds');
    else if (t.length >= 13) problems.push('_t looks like milliseconds');
    else if (Number(t) < EARLIEST_SECONDS) problems.push('_t is before 2009');
    else if (Number(t) > nowSeconds + 3600) problems.push('_t is in the future');
  }
  const d = params.get('_d');
  if (d !== undefined && d !== '1') problems.push('_d must be 1');
  if (d === '1' && t === undefined) problems.push('_d=1 without _t');
  if (endpoint === '/a') return problems;
  for (const [name, value] of params) {
    if (RESERVED.has(name)) continue;
    if (name === '') problems.push('empty property name');
    if (name.length > MAX_NAME_CHARS) problems.push(`property name longer than ${MAX_NAME_CHARS} characters`);
    if (value.length > MAX_VALUE_CHARS)
      problems.push(`value of ${name.slice(0, 40)} longer than ${MAX_VALUE_CHARS} characters`);
  }
  return problems;
}
