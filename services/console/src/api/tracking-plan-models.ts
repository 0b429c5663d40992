// The Public API's shapes for tracking plans (libs/tracking-plans/README.md): per event a JSON
// Schema, the policies for what the plan does not describe or what breaks it, versions and diffs.
import { z } from 'zod';
import { PLAN_POLICIES, type PlanPolicy } from '@manifold/tracking-plans';
import { model, optionalTimestamp } from './models';

const JsonSchema = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12)');
// The lib's list of policies (never empty), so a policy added there is accepted here too.
const Policy = z.enum(PLAN_POLICIES as [PlanPolicy, ...PlanPolicy[]]);

export const PlanPolicies = model(
  'TrackingPlanPolicies',
  z.object({
    unplannedEvents: Policy.default('allow').describe('A track event whose name the plan does not list'),
    unplannedProperties: Policy.default('allow').describe("A top-level property its event's schema does not list"),
    violations: Policy.default('allow').describe('A value that breaks its schema (type, required, enum, pattern...)'),
  }),
  'allow: pass and report; drop_property: remove the offending property (recorded); block: send the event to quarantine',
);

export const PlanRules = model(
  'TrackingPlanRules',
  z.object({
    events: z.record(z.string(), JsonSchema).default({}).describe('Track event name → JSON Schema of its properties'),
    identifyTraits: JsonSchema.optional().describe('Identify calls’ traits; left out: not checked'),
    groupTraits: JsonSchema.optional().describe('Group calls’ traits; left out: not checked'),
    pageProperties: JsonSchema.optional().describe('Page calls’ properties; left out: not checked'),
    policies: PlanPolicies.default({ unplannedEvents: 'allow', unplannedProperties: 'allow', violations: 'allow' }),
  }),
);

export const TrackingPlan = model(
  'TrackingPlan',
  z.object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    version: z.number().int().describe('1 for the first save, one more for each later save'),
    sourceIds: z.array(z.string()).describe('The sources whose events are held to this version'),
    rules: PlanRules,
    savedAt: optionalTimestamp,
  }),
  'One saved version of a tracking plan',
);

export const TrackingPlanVersion = model(
  'TrackingPlanVersion',
  z.object({
    version: z.number().int(),
    name: z.string(),
    sourceIds: z.array(z.string()),
    eventCount: z.number().int().describe('Planned track events'),
    savedAt: optionalTimestamp,
  }),
);

export const PlanChange = model(
  'TrackingPlanChange',
  z.object({
    path: z.string().describe('events.<name>, identifyTraits, groupTraits, pageProperties or policies.<name>'),
    change: z.enum(['added', 'removed', 'changed']),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  }),
);

export const PlanProblem = model(
  'TrackingPlanProblem',
  z.object({
    field: z.string().describe('Where, as a save would name it: rules.events.<name>/properties/total/type'),
    message: z.string(),
  }),
);

export const PlanPreview = model(
  'TrackingPlanPreview',
  z.object({
    changes: z.array(PlanChange).describe('What saving the draft would change from the latest version'),
    problems: z.array(PlanProblem).describe('Why a save would be refused; empty: it would be accepted'),
    latestVersion: z.number().int(),
  }),
);
