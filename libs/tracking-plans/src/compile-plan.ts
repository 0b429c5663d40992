import type { ErrorObject, ValidateFunction } from 'ajv';
import { jsonSchemaErrorInWords } from '@manifold/validation-messages';
import { planAjv } from './ajv';
import { pointerTo, removeAtPointers } from './json-pointer';
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
      // Per JSON pointer of an offending value, the strictest policy met there; '' is the event itself.
      const offending = new Map<string, PlanPolicy>();
      if (schema.planned) {
        for (const name of Object.keys(object)) {
          if (schema.planned.has(name)) continue;
          const path = pointerTo(name);
          violations.push({ rule: 'unplanned_property', path, message: `${name} is not in the plan` });
          offending.set(path, policies.unplannedProperties);
        }
      }
      if (!schema.validate(object)) {
        for (const error of schema.validate.errors ?? []) {
          const key = offendingValue(error);
          violations.push(schemaViolation(error, key));
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

/**
 * Blocks when any offence's policy blocks; else removes the values whose policy drops them, each
 * at its own pointer (a nested field, an array item), never the property around it.
 */
function applyPolicies(
  object: Record<string, unknown>,
  violations: Violation[],
  offending: ReadonlyMap<string, PlanPolicy>,
): PlanVerdict {
  for (const policy of offending.values()) if (policy === 'block') return { violations, blocked: true, dropped: [] };
  const toDrop: string[] = [];
  for (const [path, policy] of offending) if (policy === 'drop_property' && path !== '') toDrop.push(path);
  if (toDrop.length === 0) return { violations, blocked: false, dropped: [] };
  const droppedValues = new Map<string, unknown>();
  const dropped = removeAtPointers(object, toDrop, droppedValues);
  return { violations, blocked: false, dropped, droppedValues };
}

const SEVERITY: Record<PlanPolicy, number> = { allow: 0, drop_property: 1, block: 2 };

function stricter(a: PlanPolicy | undefined, b: PlanPolicy): PlanPolicy {
  return a !== undefined && SEVERITY[a] > SEVERITY[b] ? a : b;
}

/** A schema error as a violation, at the path of the value it is about (`offending`, or a missing one). */
function schemaViolation(error: ErrorObject, offending: string): Violation {
  const missing = error.keyword === 'required' ? String(error.params['missingProperty']) : undefined;
  const path = missing !== undefined ? pointerTo(missing, error.instancePath) : offending || error.instancePath;
  const message = missing === undefined ? jsonSchemaErrorInWords(error) : 'is required';
  return { rule: error.keyword, path, message: `${path || '(root)'} ${message}` };
}

/**
 * The pointer of the value an error is about, the one `drop_property` removes; '' when there is
 * none to remove. A missing property (`required`, `dependentRequired`) has nothing to remove, and
 * an `if` failure is detailed by the `then`/`else` errors beside it, which name the values. A
 * property the schema does not allow is named in the error's params; every other keyword is about
 * the value at its instance path (so a rule on an array as a whole, such as `maxItems`, is about
 * the array, and a rule on one item about that item).
 */
function offendingValue(error: ErrorObject): string {
  // A keyword of `propertyNames`' schema (`pattern`, `maxLength`...) is about a name, not the object.
  if (error.propertyName !== undefined) return pointerTo(error.propertyName, error.instancePath);
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
    case 'dependencies':
    case 'if':
      return '';
    case 'additionalProperties':
      return pointerTo(String(error.params['additionalProperty']), error.instancePath);
    case 'unevaluatedProperties':
      return pointerTo(String(error.params['unevaluatedProperty']), error.instancePath);
    case 'propertyNames':
      return pointerTo(String(error.params['propertyName']), error.instancePath);
    default:
      return error.instancePath;
  }
}

function plannedNames(schema: JsonSchema): ReadonlySet<string> | undefined {
  const properties = schema['properties'];
  if (typeof properties !== 'object' || properties === null) return undefined;
  return new Set(Object.keys(properties));
}
