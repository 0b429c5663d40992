import type { ErrorObject, ValidateFunction } from 'ajv';
import { jsonSchemaErrorInWords } from '@manifold/validation-messages';
import { planAjv } from './ajv';
import type { JsonSchema, PlanPolicy, TrackingPlan } from './plan';
import { PASSED, type PlanVerdict, type Violation } from './violation';

/** The part of a Spec event a plan looks at; `properties` / `traits` may be changed in place. */
export interface CheckedEvent {
  type: string;
  event?: string | undefined;
  properties?: Record<string, unknown> | undefined;
  traits?: Record<string, unknown> | undefined;
}

/** One schema, compiled, with the top-level names it plans. */
interface CompiledSchema {
  validate: ValidateFunction;
  /** Undefined when the schema lists no `properties`: then nothing counts as unplanned. */
  planned: ReadonlySet<string> | undefined;
}

/** A plan version ready for the hot path: every schema compiled once. */
export interface CompiledPlan {
  readonly planId: string;
  readonly version: number;
  /** Holds an event to the plan: drops properties in place per policy, and says what it found. */
  check(event: CheckedEvent): PlanVerdict;
  /** Whether the plan lists this track event name (counts per event use only planned names). */
  plans(eventName: string | undefined): boolean;
}

/** Compiles every schema of a plan version (throws on a schema ajv refuses: check plans at save time). */
export function compilePlan(plan: TrackingPlan): CompiledPlan {
  const ajv = planAjv();
  const compile = (schema: JsonSchema): CompiledSchema => ({
    validate: ajv.compile(schema),
    planned: plannedNames(schema),
  });
  const events = new Map(Object.entries(plan.events).map(([name, schema]) => [name, compile(schema)]));
  const identify = plan.identifyTraits && compile(plan.identifyTraits);
  const group = plan.groupTraits && compile(plan.groupTraits);
  const page = plan.pageProperties && compile(plan.pageProperties);
  const { policies } = plan;

  return {
    planId: plan.id,
    version: plan.version,
    plans: (eventName) => eventName !== undefined && events.has(eventName),
    check(event) {
      let schema: CompiledSchema | undefined;
      let field: 'properties' | 'traits' = 'properties';
      if (event.type === 'track') {
        schema = events.get(event.event ?? '');
        if (!schema) return unplannedEvent(event.event ?? '', policies.unplannedEvents);
      } else if (event.type === 'identify' || event.type === 'group') {
        schema = event.type === 'identify' ? identify : group;
        field = 'traits';
      } else if (event.type === 'page') {
        schema = page;
      }
      if (!schema) return PASSED;
      const object = event[field] ?? {};
      const violations: Violation[] = [];
      const offending = new Map<string, PlanPolicy>();
      if (schema.planned) {
        for (const name of Object.keys(object)) {
          if (schema.planned.has(name)) continue;
          violations.push({ rule: 'unplanned_property', path: pointer(name), message: `${name} is not in the plan` });
          offending.set(name, policies.unplannedProperties);
        }
      }
      if (!schema.validate(object)) {
        for (const error of schema.validate.errors ?? []) {
          violations.push(schemaViolation(error));
          const name = topLevelName(error);
          // A missing required property has nothing to drop: it is filed under the event itself.
          const key = name !== undefined && name in object ? name : '';
          offending.set(key, stricter(offending.get(key), policies.violations));
        }
      }
      if (violations.length === 0) return PASSED;
      return applyPolicies(object, violations, offending);
    },
  };
}

function unplannedEvent(name: string, policy: PlanPolicy): PlanVerdict {
  const violations = [{ rule: 'unplanned_event', path: '', message: `event "${name}" is not in the plan` }];
  return { violations, blocked: policy === 'block', dropped: [] };
}

/** Blocks when any offence's policy blocks; else drops the properties whose policy drops them. */
function applyPolicies(
  object: Record<string, unknown>,
  violations: Violation[],
  offending: ReadonlyMap<string, PlanPolicy>,
): PlanVerdict {
  for (const policy of offending.values()) if (policy === 'block') return { violations, blocked: true, dropped: [] };
  const dropped: string[] = [];
  for (const [name, policy] of offending) {
    if (policy !== 'drop_property' || name === '') continue;
    delete object[name];
    dropped.push(name);
  }
  return { violations, blocked: false, dropped };
}

const SEVERITY: Record<PlanPolicy, number> = { allow: 0, drop_property: 1, block: 2 };

function stricter(a: PlanPolicy | undefined, b: PlanPolicy): PlanPolicy {
  return a !== undefined && SEVERITY[a] > SEVERITY[b] ? a : b;
}

function schemaViolation(error: ErrorObject): Violation {
  const missing = error.keyword === 'required' ? String(error.params['missingProperty']) : undefined;
  const path = missing === undefined ? error.instancePath : `${error.instancePath}${pointer(missing)}`;
  const message = missing === undefined ? jsonSchemaErrorInWords(error) : 'is required';
  return { rule: error.keyword, path, message: `${path || '(root)'} ${message}` };
}

/** The top-level property an error is about (a missing required one included), if any. */
function topLevelName(error: ErrorObject): string | undefined {
  if (error.instancePath === '') {
    return error.keyword === 'required' ? String(error.params['missingProperty']) : undefined;
  }
  const first = error.instancePath.split('/')[1];
  return first === undefined ? undefined : first.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointer(name: string): string {
  return `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function plannedNames(schema: JsonSchema): ReadonlySet<string> | undefined {
  const properties = schema['properties'];
  if (typeof properties !== 'object' || properties === null) return undefined;
  return new Set(Object.keys(properties));
}
