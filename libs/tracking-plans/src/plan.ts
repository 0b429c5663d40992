/**
 * A tracking plan as the data plane and the control plane share it (libs/tracking-plans/README.md):
 * per planned event a JSON Schema of what the event carries, and what to do with what the plan
 * does not describe or what breaks it.
 */

/** A JSON Schema document (draft 2020-12), as the user wrote it. */
export type JsonSchema = Record<string, unknown>;

/**
 * - `allow`: the event goes through unchanged; the violation is reported.
 * - `drop_property`: the offending value is removed, however deep (with a notice naming its JSON
 *   pointer); the event goes through.
 * - `block`: the event goes to the quarantine topic instead of the events topic.
 */
export type PlanPolicy = 'allow' | 'drop_property' | 'block';
export const PLAN_POLICIES: readonly PlanPolicy[] = ['allow', 'drop_property', 'block'];

export interface PlanPolicies {
  /** Track events whose name the plan does not list (`drop_property` is read as `allow`). */
  unplannedEvents: PlanPolicy;
  /** Top-level properties (traits) a planned event's schema does not list. */
  unplannedProperties: PlanPolicy;
  /** Values that break a planned event's schema (types, required properties, formats...). */
  violations: PlanPolicy;
}

export interface TrackingPlanRules {
  /** Track event name → JSON Schema of its `properties`. */
  events: Record<string, JsonSchema>;
  /** JSON Schema of identify calls' `traits`; unset: identify calls are not checked. */
  identifyTraits?: JsonSchema | undefined;
  /** JSON Schema of group calls' `traits`; unset: group calls are not checked. */
  groupTraits?: JsonSchema | undefined;
  /** JSON Schema of page calls' `properties`; unset: page calls are not checked. */
  pageProperties?: JsonSchema | undefined;
  policies: PlanPolicies;
}

/** One saved version of a plan. */
export interface TrackingPlan extends TrackingPlanRules {
  id: string;
  workspaceId: string;
  name: string;
  /** 1 for the first save, one more for each later save. */
  version: number;
  /** The sources whose events are held to this plan. */
  sourceIds: string[];
}

export const DEFAULT_POLICIES: PlanPolicies = {
  unplannedEvents: 'allow',
  unplannedProperties: 'allow',
  violations: 'allow',
};
