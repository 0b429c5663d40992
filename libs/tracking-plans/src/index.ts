export * from './plan';
export * from './violation';
export type { PlanReport, ViolationCount, ViolationOutcome, ViolationSample } from './plan-report';
export { compilePlan, type CheckedEvent, type CompiledPlan } from './compile-plan';
export { checkPlanRules, type PlanProblem } from './check-plan';
export { diffPlans, type PlanChange } from './diff-plans';
export { generatePlanRules } from './generate-plan';
export { schemaChanges, type SchemaChange } from './schema-diff';
export { isPlannedCallType, jsonType, observeEvent, type ObservedEvent } from './observe-event';
