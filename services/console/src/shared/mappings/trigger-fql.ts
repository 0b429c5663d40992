// The trigger builder's model and the FQL it writes. The builder reads back only FQL it could
// have written itself (checked by writing it again), so a hand-written trigger is never rewritten.

export const EVENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

export const OPERATORS = [
  { id: '=', label: 'is' },
  { id: '!=', label: 'is not' },
  { id: 'contains', label: 'contains' },
  { id: '>', label: 'is greater than' },
  { id: '<', label: 'is less than' },
  { id: 'exists', label: 'exists' },
  { id: 'missing', label: 'does not exist' },
] as const;

export type Operator = (typeof OPERATORS)[number]['id'];

export interface TriggerCondition {
  /** A path of the event without `$.`, e.g. properties.plan. */
  path: string;
  operator: Operator;
  /** As typed: numbers, true, false and null are written bare, anything else as a string. */
  value: string;
}

export interface TriggerSpec {
  /** '' = any type. */
  type: string;
  /** '' = any name (the `event` of a track, the `name` of a page or screen). */
  name: string;
  conditions: TriggerCondition[];
}

export const EMPTY_TRIGGER: TriggerSpec = { type: '', name: '', conditions: [] };

function nameField(type: string): string {
  return type === 'page' || type === 'screen' ? 'name' : 'event';
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A path as FQL reads it: characters other than letters, digits, _ $ - and dots escaped. */
function fqlPath(path: string): string {
  return path.replace(/^\$\./, '').replace(/[^A-Za-z0-9_$.-]/g, (c) => `\\${c}`);
}

function literal(value: string): string {
  const trimmed = value.trim();
  if (/^(true|false|null)$/.test(trimmed)) return trimmed;
  if (trimmed !== '' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed)) return trimmed;
  return quote(value);
}

function conditionFql(condition: TriggerCondition): string {
  const path = fqlPath(condition.path);
  switch (condition.operator) {
    case 'exists':
      return `${path} != null`;
    case 'missing':
      return `${path} = null`;
    case 'contains':
      return `contains(${path}, ${quote(condition.value)})`;
    default:
      return `${path} ${condition.operator} ${literal(condition.value)}`;
  }
}

/** The FQL of a builder's trigger; `all` when it sets nothing. */
export function fqlOf(spec: TriggerSpec): string {
  const parts: string[] = [];
  if (spec.type) parts.push(`type = ${quote(spec.type)}`);
  if (spec.name) parts.push(`${nameField(spec.type)} = ${quote(spec.name)}`);
  for (const condition of spec.conditions) if (condition.path.trim()) parts.push(conditionFql(condition));
  return parts.length === 0 ? 'all' : parts.join(' and ');
}

/** Splits on ` and ` outside strings. */
function conjuncts(fql: string): string[] {
  const parts: string[] = [];
  let quoteChar = '';
  let start = 0;
  for (let i = 0; i < fql.length; i++) {
    const c = fql[i];
    if (quoteChar) {
      if (c === '\\') i++;
      else if (c === quoteChar) quoteChar = '';
    } else if (c === '"' || c === "'") quoteChar = c;
    else if (fql.startsWith(' and ', i)) {
      parts.push(fql.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(fql.slice(start));
  return parts.map((p) => p.trim());
}

function unquote(text: string): string | undefined {
  const match = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
}

function unescapePath(path: string): string {
  return path.replace(/\\(.)/g, '$1');
}

function valueText(text: string): string {
  return unquote(text) ?? text;
}

const PATH = String.raw`((?:[A-Za-z0-9_$.-]|\\.)+)`;

function parseConjunct(part: string, spec: TriggerSpec): boolean {
  let match = new RegExp(`^contains\\(${PATH}, (".*")\\)$`).exec(part);
  if (match) {
    const value = unquote(match[2]!);
    if (value === undefined) return false;
    spec.conditions.push({ path: unescapePath(match[1]!), operator: 'contains', value });
    return true;
  }
  match = new RegExp(`^${PATH} (=|!=|>|<) (.+)$`).exec(part);
  if (!match) return false;
  const [, rawPath, op, rawValue] = match as unknown as [string, string, Operator, string];
  const path = unescapePath(rawPath);
  if (path === 'type' && op === '=' && !spec.type && spec.conditions.length === 0) {
    spec.type = valueText(rawValue);
    return true;
  }
  if (path === nameField(spec.type) && op === '=' && !spec.name && spec.conditions.length === 0) {
    spec.name = valueText(rawValue);
    return true;
  }
  if (rawValue === 'null' && (op === '=' || op === '!=')) {
    spec.conditions.push({ path, operator: op === '=' ? 'missing' : 'exists', value: '' });
    return true;
  }
  spec.conditions.push({ path, operator: op, value: valueText(rawValue) });
  return true;
}

/** The builder's view of a trigger, or undefined when the FQL is not one the builder writes. */
export function specOf(fql: string): TriggerSpec | undefined {
  const source = fql.trim();
  if (source === 'all' || source === '') return { ...EMPTY_TRIGGER, conditions: [] };
  const spec: TriggerSpec = { type: '', name: '', conditions: [] };
  for (const part of conjuncts(source)) if (!parseConjunct(part, spec)) return undefined;
  return fqlOf(spec) === source ? spec : undefined;
}
