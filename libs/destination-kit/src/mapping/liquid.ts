import { Liquid, type Template } from 'liquidjs';
import { MappingError } from './mapping-error';

// `@liquid`: a LiquidJS template rendered against the event, with Segment's limits and its
// disabled tags and filters, so that a template written for Segment renders the same here and one
// Segment refuses is refused here. Variables start at the event's root: `{{ properties.plan }}`,
// `{{ event }}` (a track call's name), `{{ context.page.url }}`.

/** Longest template accepted, in characters (Segment's limit). */
export const LIQUID_MAX_LENGTH = 1000;

/** Tags Segment leaves out: loops and everything that reads other templates (files, here). */
const DISABLED_TAGS = ['case', 'for', 'include', 'layout', 'render', 'tablerow'];

/** Filters Segment leaves out: mostly those that walk or reorder arrays. */
const DISABLED_FILTERS = [
  'array_to_sentence_string',
  'concat',
  'find',
  'find_exp',
  'find_index',
  'find_index_exp',
  'group_by',
  'group_by_exp',
  'has',
  'has_exp',
  'map',
  'newline_to_br',
  'reject',
  'reject_exp',
  'reverse',
  'sort',
  'sort_natural',
  'type',
  'uniq',
  'where_exp',
];

const engine = new Liquid({
  // A render stops after 500 ms, as Segment's do. LiquidJS counts memory in characters and array
  // items, and checks a range's size only against what is left: Segment's budget (1e8) let
  // `{{ (1..99999999) | join }}` take 7 s and 1.6 GB here before it failed, enough to stop a
  // translator. A million is far more than any event's text (a call is at most 32 KB).
  renderLimit: 500,
  memoryLimit: 1e6,
  parseLimit: LIQUID_MAX_LENGTH,
  // A filter that does not exist (or is disabled) fails when the template is parsed, so that a
  // mapping is refused when it is saved rather than at each event.
  strictFilters: true,
  // Only the event's own fields: never `constructor`, `__proto__` or prototype methods.
  ownPropertyOnly: true,
});
for (const tag of DISABLED_TAGS) delete engine.tags[tag];
for (const filter of DISABLED_FILTERS) delete engine.filters[filter];

/**
 * Parsed templates by text: a mapping's template is parsed once, not per event. Bounded, since
 * mappings come from users; a full cache is emptied and fills again from the templates in use.
 */
const parsed = new Map<string, Template[] | MappingError>();
const MAX_PARSED = 1000;

/** Why a template cannot be used, or undefined when it can. */
export function liquidProblem(template: string): string | undefined {
  const templates = parse(template);
  return templates instanceof MappingError ? templates.message : undefined;
}

/** The template rendered against `data` (the event). Throws MappingError when it cannot be parsed or rendered. */
export function renderLiquid(template: string, data: unknown): string {
  const templates = parse(template);
  if (templates instanceof MappingError) throw templates;
  let rendered: unknown;
  try {
    rendered = engine.renderSync(templates, data as object);
  } catch (error) {
    throw new MappingError(`@liquid could not be rendered: ${firstLine(error)}`);
  }
  // As Segment: a template always gives text.
  return typeof rendered === 'string' ? rendered : 'error';
}

function parse(template: string): Template[] | MappingError {
  let templates = parsed.get(template);
  if (templates) return templates;
  templates = parseNow(template);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(template, templates);
  return templates;
}

function parseNow(template: string): Template[] | MappingError {
  if (template.length > LIQUID_MAX_LENGTH) {
    return new MappingError(
      `@liquid takes at most ${LIQUID_MAX_LENGTH} characters; this template has ${template.length}`,
    );
  }
  try {
    return engine.parse(template);
  } catch (error) {
    const message = firstLine(error);
    const tag = /^tag "([^"]+)" not found/.exec(message)?.[1];
    if (tag !== undefined && DISABLED_TAGS.includes(tag)) {
      return new MappingError(`@liquid does not offer the tag ${tag} (nor does Segment): ${message}`);
    }
    const filter = /^undefined filter: (\w+)/.exec(message)?.[1];
    if (filter !== undefined && DISABLED_FILTERS.includes(filter)) {
      return new MappingError(`@liquid does not offer the filter ${filter} (nor does Segment): ${message}`);
    }
    return new MappingError(`@liquid does not parse: ${message}`);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;
}
