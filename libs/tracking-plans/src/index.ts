export * from './plan';
export * from './violation';
export { compilePlan, type CheckedEvent, type CompiledPlan } from './compile-plan';
export { checkPlanRules, type PlanProblem } from './check-plan';
export { diffPlans, type PlanChange } from './diff-plans';
export { generatePlanRules } from './generate-plan';
export { schemaChanges, type SchemaChange } from './schema-diff';
