import { useEffect, useState } from 'react';
import {
  EVENT_TYPES,
  OPERATORS,
  fqlOf,
  specOf,
  type Operator,
  type TriggerCondition,
  type TriggerSpec,
} from '../../../../src/shared/mappings/trigger-fql';
import { FormField } from '../../components/FormField';

/**
 * Which events run a mapping: an event type, an event name and conditions on the event's
 * properties, written as FQL; the FQL itself is editable too. The FQL is what is saved: the
 * builder shows it when it is one the builder writes, and otherwise says so and leaves it alone.
 */
export function TriggerBuilder(props: {
  idPrefix: string;
  trigger: string;
  onChange(trigger: string): void;
  /** Datalists: event paths (without `$.`) and event names seen lately. */
  pathsList: string;
  namesList: string;
  error: string | undefined;
  disabled: boolean;
}) {
  const { idPrefix, trigger } = props;
  // The builder's own rows, so a condition being typed (no path yet) stays on screen.
  const [spec, setSpec] = useState<TriggerSpec | undefined>(() => specOf(trigger));
  useEffect(() => {
    setSpec((current) => (current && fqlOf(current) === trigger.trim() ? current : specOf(trigger)));
  }, [trigger]);

  const update = (next: TriggerSpec) => {
    setSpec(next);
    props.onChange(fqlOf(next));
  };
  const setCondition = (index: number, change: Partial<TriggerCondition>) =>
    spec && update({ ...spec, conditions: spec.conditions.map((c, i) => (i === index ? { ...c, ...change } : c)) });

  return (
    <fieldset className="trigger-builder" aria-describedby={props.error ? `${idPrefix}-fql-error` : undefined}>
      <legend>Trigger: which events run this mapping</legend>
      {spec ? (
        <>
          <div className="row">
            <FormField label="Event type" htmlFor={`${idPrefix}-type`}>
              <select
                id={`${idPrefix}-type`}
                value={spec.type}
                disabled={props.disabled}
                onChange={(e) => update({ ...spec, type: e.target.value })}
              >
                <option value="">Any type</option>
                {EVENT_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label={spec.type === 'page' || spec.type === 'screen' ? 'Page or screen name' : 'Event name'}
              htmlFor={`${idPrefix}-name`}
              hint="Empty: any name"
            >
              <input
                id={`${idPrefix}-name`}
                type="text"
                autoComplete="off"
                list={props.namesList}
                value={spec.name}
                disabled={props.disabled}
                onChange={(e) => update({ ...spec, name: e.target.value })}
              />
            </FormField>
          </div>
          {spec.conditions.length > 0 ? (
            <ol className="trigger-conditions" aria-label="Conditions (all must hold)">
              {spec.conditions.map((condition, index) => {
                const id = `${idPrefix}-condition-${index}`;
                const n = index + 1;
                return (
                  <li key={index} className="row">
                    <FormField label={`Condition ${n}: event field`} htmlFor={`${id}-path`}>
                      <input
                        id={`${id}-path`}
                        type="text"
                        autoComplete="off"
                        spellCheck={false}
                        list={props.pathsList}
                        placeholder="properties.plan"
                        value={condition.path}
                        disabled={props.disabled}
                        onChange={(e) => setCondition(index, { path: e.target.value })}
                      />
                    </FormField>
                    <FormField label={`Condition ${n}: test`} htmlFor={`${id}-operator`}>
                      <select
                        id={`${id}-operator`}
                        value={condition.operator}
                        disabled={props.disabled}
                        onChange={(e) => setCondition(index, { operator: e.target.value as Operator })}
                      >
                        {OPERATORS.map((op) => (
                          <option key={op.id} value={op.id}>
                            {op.label}
                          </option>
                        ))}
                      </select>
                    </FormField>
                    {condition.operator === 'exists' || condition.operator === 'missing' ? null : (
                      <FormField label={`Condition ${n}: value`} htmlFor={`${id}-value`}>
                        <input
                          id={`${id}-value`}
                          type="text"
                          autoComplete="off"
                          value={condition.value}
                          disabled={props.disabled}
                          onChange={(e) => setCondition(index, { value: e.target.value })}
                        />
                      </FormField>
                    )}
                    <button
                      type="button"
                      className="condition-remove"
                      aria-label={`Remove condition ${n}`}
                      disabled={props.disabled}
                      onClick={() => update({ ...spec, conditions: spec.conditions.filter((_, i) => i !== index) })}
                    >
                      Remove
                    </button>
                  </li>
                );
              })}
            </ol>
          ) : null}
          <button
            type="button"
            disabled={props.disabled}
            onClick={() =>
              setSpec({ ...spec, conditions: [...spec.conditions, { path: '', operator: '=', value: '' }] })
            }
          >
            Add condition
          </button>
        </>
      ) : (
        <p className="notice notice-warning" data-testid="trigger-hand-written">
          This trigger uses FQL the builder does not write (or, or not, other tests); edit it below.{' '}
          <button
            type="button"
            className="link-button"
            disabled={props.disabled}
            onClick={() => update({ type: '', name: '', conditions: [] })}
          >
            Start over with the builder
          </button>
        </p>
      )}
      <FormField
        label="FQL"
        htmlFor={`${idPrefix}-fql`}
        error={props.error}
        hint={'e.g. type = "track" and event = "Order Completed"; "all" runs on every event'}
      >
        <textarea
          id={`${idPrefix}-fql`}
          rows={2}
          spellCheck={false}
          value={trigger}
          disabled={props.disabled}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? `${idPrefix}-fql-error` : undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </FormField>
    </fieldset>
  );
}
