// The Public API's shapes for tracking-plan violations and starting plans generated from observed events.
import { z } from 'zod';
import { model, timestamp } from './models';

export const PlanViolationGroup = model(
  'PlanViolationGroup',
  z.object({
    eventType: z.string().describe('track, identify, group or page'),
    eventName: z.string().describe("The track event's name; empty for other calls"),
    rule: z.string().describe('unplanned_event, unplanned_property, or the JSON Schema keyword that failed'),
    path: z.string().describe('JSON pointer into properties / traits; empty for the event itself'),
    outcome: z.enum(['allowed', 'dropped', 'blocked']).or(z.string()),
    count: z.number().int(),
    hours: z
      .array(z.object({ hour: timestamp, count: z.number().int() }))
      .describe('Hours with violations, oldest first'),
    samples: z
      .array(
        z.object({
          messageId: z.string(),
          path: z.string(),
          message: z.string(),
          value: z.string().describe('Shortened; credential-like names masked; empty when nothing was there'),
          at: timestamp,
          sourceId: z.string(),
          planVersion: z.number().int(),
        }),
      )
      .describe('The latest ones, newest first'),
  }),
  'The violations of one rule at one path of one event, with one outcome',
);

export const PlanViolations = model(
  'PlanViolations',
  z.object({
    groups: z.array(PlanViolationGroup).describe('Most violations first'),
    total: z.number().int(),
    from: timestamp,
    to: timestamp,
  }),
  'Tracking-plan violations counted per hour (ingestion reports them every 10 seconds)',
);

export const GeneratedPlan = model(
  'GeneratedPlan',
  z.object({
    rules: z
      .record(z.string(), z.unknown())
      .describe('events, identifyTraits, groupTraits, pageProperties, policies (all allow)'),
    eventsObserved: z.number().int(),
    eventsCut: z.number().int().describe("Events of kinds beyond ingestion's per-source bound: not observed"),
    pathsCut: z.number().int().describe("Property paths beyond ingestion's per-event bound: not observed"),
  }),
  "A starting tracking plan from the property paths and types observed on a source's events",
);
