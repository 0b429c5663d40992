import type { TrackingPlanRules } from '../../../../src/api/types';
import type { FieldError } from '../../api';
import { FormField } from '../../components/FormField';

type Policies = TrackingPlanRules['policies'];
type Policy = Policies['violations'];

const CHOICES: Array<[Policy, string]> = [
  ['allow', 'Allow and report'],
  ['drop_property', 'Drop the property (recorded)'],
  ['block', 'Block the event (to quarantine)'],
];

const SETTINGS: Array<[keyof Policies, string, string]> = [
  [
    'unplannedEvents',
    'Unplanned events',
    'A track event whose name the plan does not list (dropping a property is read as allow)',
  ],
  ['unplannedProperties', 'Unplanned properties', "A top-level property its event's schema does not list"],
  ['violations', 'Violations', 'A value that breaks its schema: type, required, allowed values, pattern...'],
];

/** What ingestion does with what the plan does not describe or what breaks it. */
export function PlanPolicies(props: {
  policies: Policies;
  canWrite: boolean;
  problems: FieldError[];
  onChange(policies: Policies): void;
}) {
  return (
    <section className="card" aria-labelledby="plan-policies-heading">
      <h2 id="plan-policies-heading">When an event does not follow the plan</h2>
      <p className="muted">When one event breaks several rules, the strictest choice decides.</p>
      <div className="plan-policies">
        {SETTINGS.map(([key, label, hint]) => (
          <FormField
            key={key}
            label={label}
            htmlFor={`plan-policy-${key}`}
            hint={hint}
            error={props.problems.find((p) => p.field === `rules.policies.${key}`)?.message}
          >
            <select
              id={`plan-policy-${key}`}
              value={props.policies[key]}
              disabled={!props.canWrite}
              onChange={(e) => props.onChange({ ...props.policies, [key]: e.target.value as Policy })}
            >
              {CHOICES.map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
          </FormField>
        ))}
      </div>
    </section>
  );
}
