import { planAjv } from './ajv';
import { PLAN_POLICIES, type JsonSchema, type TrackingPlanRules } from './plan';

/** A problem with a plan as saved, at a path such as `events.Order Completed/properties/price/type`. */
export interface PlanProblem {
  path: string;
  message: string;
}

/**
 * Checks a plan before it is saved: every schema must be a valid JSON Schema that ajv compiles,
 * and every policy one of the known ones. Returns every problem, each with its path; none: valid.
 */
export function checkPlanRules(rules: TrackingPlanRules): PlanProblem[] {
  const ajv = planAjv();
  const problems: PlanProblem[] = [];
  const checkSchema = (path: string, schema: unknown): void => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      problems.push({ path, message: 'must be a JSON Schema object' });
      return;
    }
    if (!ajv.validateSchema(schema)) {
      for (const error of ajv.errors ?? []) {
        problems.push({ path: `${path}${error.instancePath}`, message: error.message ?? error.keyword });
      }
      return;
    }
    try {
      ajv.compile(schema as JsonSchema);
    } catch (error) {
      problems.push({ path, message: error instanceof Error ? error.message : String(error) });
    }
  };
  for (const [name, schema] of Object.entries(rules.events)) {
    if (name === '') problems.push({ path: 'events', message: 'an event name must not be empty' });
    checkSchema(`events.${name}`, schema);
  }
  if (rules.identifyTraits !== undefined) checkSchema('identifyTraits', rules.identifyTraits);
  if (rules.groupTraits !== undefined) checkSchema('groupTraits', rules.groupTraits);
  if (rules.pageProperties !== undefined) checkSchema('pageProperties', rules.pageProperties);
  for (const [name, policy] of Object.entries(rules.policies)) {
    if (!PLAN_POLICIES.includes(policy)) {
      problems.push({ path: `policies.${name}`, message: `must be one of ${PLAN_POLICIES.join(', ')}` });
    }
  }
  return problems;
}
