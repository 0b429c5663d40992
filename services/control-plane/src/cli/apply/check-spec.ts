import type { CatalogEntry } from '@manifold/proto';
import { Catalog } from '../../domain/catalog';
import { Violations } from '../../domain/errors';
import {
  checkEmail,
  checkEnvironment,
  checkMembers,
  checkName,
  checkOneOf,
  checkSlug,
  checkSyncInterval,
  SOURCE_CATEGORIES,
  SOURCE_TYPES,
} from '../../domain/validation';
import { mappingRules } from '../../default-catalog';
import { mappingViolations } from '../../domain/catalog';
import { checkWebhookSettings } from '../../domain/webhook-settings';
import { checkTrackingPlans } from './check-tracking-plans';
import { formatPath, pathOfField, type PathSegment, type Problem } from './load-spec';
import type { MappingSpec, SpecParts } from './workspace-spec';
import type { WorkspaceState } from './workspace-state';

/** The destination and warehouse entries of a file, side by side. */
export interface WantedDestination {
  kind: 'destination' | 'warehouse';
  path: PathSegment[];
  name: string;
  catalogId: string;
  settings: Record<string, unknown>;
  sources: string[];
  enabled: boolean;
  /** Warehouses only; 0 for destinations. */
  interval: number;
  /** Destinations only, when the file lists them. */
  mappings?: MappingSpec[];
}

export function wantedDestinations(parts: SpecParts): WantedDestination[] {
  const wanted: WantedDestination[] = [];
  parts.destinations.forEach((d, i) => {
    if (d) wanted.push({ ...d, kind: 'destination', path: ['destinations', i], catalogId: d.catalog, interval: 0 });
  });
  parts.warehouses.forEach((w, i) => {
    if (w) wanted.push({ ...w, kind: 'warehouse', path: ['warehouses', i], catalogId: w.kind });
  });
  return wanted;
}

/** Runs the control plane's own field checks, naming their fields as paths under `base`. */
function collect(problems: Problem[], base: PathSegment[], check: (v: Violations) => void): void {
  const v = new Violations();
  check(v);
  for (const { field, message } of v.all) problems.push({ path: [...base, ...pathOfField(field)], message });
}

/**
 * Checks a file against the rules the control plane applies and against its catalog, before
 * anything is changed, so that one run reports every problem. Settings of destinations that
 * already exist are merged with their current values on the server, so those are checked there
 * (by a dry run, in the plan) instead.
 */
export function checkSpec(parts: SpecParts, catalog: Catalog, state: WorkspaceState, prune: boolean): Problem[] {
  const problems: Problem[] = [];
  const ws = parts.workspace;
  if (ws) {
    collect(problems, ['workspace'], (v) => {
      checkSlug(v, 'slug', ws.slug);
      checkName(v, 'name', ws.name);
      checkEmail(v, 'owner', ws.owner);
      checkMembers(v, 'members', ws.members);
    });
  }

  const sourceSlugs = new Map<string, number>();
  parts.sources.forEach((s, i) => {
    if (!s) return;
    collect(problems, ['sources', i], (v) => {
      checkSlug(v, 'slug', s.slug);
      checkName(v, 'name', s.name);
      checkEnvironment(v, 'environment', s.environment);
      checkOneOf(v, 'type', s.type, SOURCE_TYPES);
      checkOneOf(v, 'category', s.category, SOURCE_CATEGORIES);
      // The control plane's own checks of a webhook source's kind and generic mapping.
      if (s.type === 'webhook' && !s.webhook) {
        v.add('webhook', 'is required for a webhook source (its kind: stripe, github, shopify or generic)');
      } else if (s.webhook && s.type !== 'webhook') v.add('webhook', 'is only for sources of type webhook');
      else if (s.webhook) checkWebhookSettings(v, { kind: s.webhook.kind, mapping: s.webhook.mapping });
    });
    const first = sourceSlugs.get(s.slug);
    if (first !== undefined) {
      problems.push({ path: ['sources', i, 'slug'], message: `sources[${first}] already has the slug ${s.slug}` });
    } else sourceSlugs.set(s.slug, i);
  });
  // Source names are unique in a workspace too (as the server stores them, trimmed).
  const sourceNames = new Map<string, string>();
  parts.sources.forEach((s, i) => {
    if (!s) return;
    const name = s.name.trim();
    const inFile = sourceNames.get(name);
    const unlisted = state.sources.find(
      (have) => have.name === name && have.slug !== s.slug && !sourceSlugs.has(have.slug),
    );
    if (inFile) problems.push({ path: ['sources', i, 'name'], message: `${inFile} already has the name ${name}` });
    else if (unlisted) {
      problems.push({
        path: ['sources', i, 'name'],
        message: `source ${unlisted.slug} of the workspace already has the name ${name}`,
      });
    }
    if (!inFile) sourceNames.set(name, `sources[${i}]`);
  });
  // A destination may name (by slug or id) a source the file lists, or one the workspace has that stays.
  const reachable = new Set([...sourceSlugs.keys(), ...(prune ? [] : state.sources.flatMap((s) => [s.slug, s.id]))]);

  const names = new Map<string, string>();
  for (const want of wantedDestinations(parts)) {
    collect(problems, want.path, (v) => checkName(v, 'name', want.name));
    const first = names.get(want.name);
    if (first) problems.push({ path: [...want.path, 'name'], message: `${first} is already named ${want.name}` });
    else names.set(want.name, formatPath(want.path));

    const catalogField = want.kind === 'warehouse' ? 'kind' : 'catalog';
    const entry = catalog.get(want.catalogId);
    const ofKind = catalog
      .list()
      .filter((e) => e.warehouse === (want.kind === 'warehouse'))
      .map((e) => e.id);
    if (!entry || entry.warehouse !== (want.kind === 'warehouse')) {
      const hint = entry
        ? `${want.catalogId} is a ${entry.warehouse ? 'warehouse (list it under warehouses)' : 'destination (list it under destinations)'}`
        : `no catalog entry ${want.catalogId}`;
      problems.push({ path: [...want.path, catalogField], message: `${hint}; one of: ${ofKind.join(', ')}` });
    } else if (!state.destinations.some((d) => d.name === want.name)) {
      collect(problems, want.path, (v) => v.addAll(catalog.validateSettings(entry.id, structuredClone(want.settings))));
    }
    // Mappings replace the saved ones whole: checked here for new and existing destinations alike.
    const rules = entry?.mappings;
    if (want.mappings && rules)
      collect(problems, want.path, (v) => v.addAll(mappingViolations(rules.validate(want.mappings))));
    if (want.kind === 'warehouse') collect(problems, want.path, (v) => checkSyncInterval(v, 'interval', want.interval));
    want.sources.forEach((slug, k) => {
      if (reachable.has(slug)) return;
      const deleted = prune && state.sources.some((s) => s.slug === slug);
      problems.push({
        path: [...want.path, 'sources', k],
        message: deleted
          ? `source ${slug} is not in the file, so --prune would delete it`
          : `no source ${slug} in the file${state.workspace ? ' or the workspace' : ''}`,
      });
    });
  }
  problems.push(...checkTrackingPlans(parts, reachable));
  return problems;
}

/** The control plane's catalog, with its settings validators, for checking a file locally. */
export function catalogFrom(entries: readonly CatalogEntry[]): Catalog {
  // Mapping rules come from the destinations in code, the same ones the control plane uses.
  return new Catalog(entries.map((e) => ({ ...e, settingsSchema: e.settingsSchema ?? {}, ...mappingRules(e.id) })));
}
