import { useEffect, useState, type SyntheticEvent } from 'react';
import type { TrackingPlanRules } from '../../../../src/api/types';
import type { FieldError } from '../../api';
import { FormField } from '../../components/FormField';
import { problemsAt, type JsonSchema } from '../../../../src/shared/tracking-plans/schema-properties';
import { SchemaEditor } from './SchemaEditor';

type CallSchema = 'identifyTraits' | 'groupTraits' | 'pageProperties';
const CALL_SCHEMAS: Array<[CallSchema, string]> = [
  ['identifyTraits', 'Identify traits'],
  ['groupTraits', 'Group traits'],
  ['pageProperties', 'Page properties'],
];

const NEW_EVENT_SCHEMA: JsonSchema = { type: 'object', properties: {} };

function propertyCount(schema: JsonSchema): number {
  const properties = schema['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties).length : 0;
}

function Summary({ title, schema, problems }: { title: string; schema: JsonSchema; problems: number }) {
  const count = propertyCount(schema);
  return (
    <summary>
      <strong>{title}</strong>{' '}
      <span className="muted">
        {count} propert{count === 1 ? 'y' : 'ies'}
      </span>
      {problems > 0 ? (
        <span className="badge badge-error">
          {problems} problem{problems === 1 ? '' : 's'}
        </span>
      ) : null}
    </summary>
  );
}

/**
 * The plan's schemas: one per planned track event (added, edited, removed) and, when checked,
 * identify traits, group traits and page properties. Each opens to its editor; one with a problem
 * from the server opens by itself.
 */
export function PlanEvents(props: {
  rules: TrackingPlanRules;
  canWrite: boolean;
  problems: FieldError[];
  onChange(rules: TrackingPlanRules): void;
}) {
  const { rules, canWrite } = props;
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  // Which schemas are open (by rules path): the user's choice, plus any the server found a problem in.
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const names = Object.keys(rules.events);
  const { problems } = props;
  useEffect(() => {
    if (problems.length === 0) return;
    setOpened((current) => {
      const next = new Set(current);
      for (const path of [...names.map((n) => `events.${n}`), ...CALL_SCHEMAS.map(([key]) => key)]) {
        if (problemsAt(problems, path).length > 0) next.add(path);
      }
      return next;
    });
    // Only new problems open schemas (names come with the same rules).
  }, [problems]);
  const disclosure = (path: string) => ({
    className: 'disclosure',
    open: opened.has(path),
    onToggle: (e: SyntheticEvent<HTMLDetailsElement>) => {
      const isOpen = e.currentTarget.open;
      setOpened((current) => {
        if (current.has(path) === isOpen) return current;
        const next = new Set(current);
        if (isOpen) next.add(path);
        else next.delete(path);
        return next;
      });
    },
  });

  const setEvent = (event: string, schema: JsonSchema) =>
    props.onChange({ ...rules, events: { ...rules.events, [event]: schema } });
  const removeEvent = (event: string) => {
    const events = { ...rules.events };
    delete events[event];
    props.onChange({ ...rules, events });
  };
  const addEvent = () => {
    const trimmed = name.trim();
    if (!trimmed) return setError('An event needs its name, as the track call sends it.');
    if (trimmed in rules.events) return setError(`${trimmed} is planned already.`);
    setError(undefined);
    setName('');
    setOpened((current) => new Set(current).add(`events.${trimmed}`));
    setEvent(trimmed, NEW_EVENT_SCHEMA);
  };

  return (
    <section className="card" aria-labelledby="plan-events-heading">
      <h2 id="plan-events-heading">Events</h2>
      <p className="muted">Each planned track event with a JSON Schema of its properties.</p>
      {names.length === 0 ? <p className="muted">No events planned yet.</p> : null}
      <ul className="plan-schemas" aria-label="Planned events">
        {names.map((event) => {
          const problems = problemsAt(props.problems, `events.${event}`);
          return (
            <li key={event} data-event={event}>
              <details {...disclosure(`events.${event}`)}>
                <Summary title={event} schema={rules.events[event] ?? {}} problems={problems.length} />
                <SchemaEditor
                  label={event}
                  schema={rules.events[event] ?? {}}
                  canWrite={canWrite}
                  problems={problems}
                  onChange={(schema) => setEvent(event, schema)}
                />
                {canWrite ? (
                  <button type="button" className="danger" onClick={() => removeEvent(event)}>
                    Remove event {event}
                  </button>
                ) : null}
              </details>
            </li>
          );
        })}
      </ul>
      {canWrite ? (
        <div className="row">
          <FormField label="Event name" htmlFor="plan-new-event" error={error}>
            <input
              id="plan-new-event"
              value={name}
              placeholder="Order Completed"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'plan-new-event-error' : undefined}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addEvent();
                }
              }}
            />
          </FormField>
          <button type="button" onClick={addEvent}>
            Add event
          </button>
        </div>
      ) : null}
      <h3>Other calls</h3>
      <ul className="plan-schemas" aria-label="Other calls">
        {CALL_SCHEMAS.map(([key, title]) => {
          const schema = rules[key];
          const problems = problemsAt(props.problems, key);
          return (
            <li key={key}>
              <label className="checkbox-label">
                <input
                  type="checkbox"
                  checked={schema !== undefined}
                  disabled={!canWrite}
                  onChange={(e) => props.onChange({ ...rules, [key]: e.target.checked ? NEW_EVENT_SCHEMA : undefined })}
                />{' '}
                Check {title.toLowerCase()}
              </label>
              {schema ? (
                <details {...disclosure(key)}>
                  <Summary title={title} schema={schema} problems={problems.length} />
                  <SchemaEditor
                    label={title}
                    schema={schema}
                    canWrite={canWrite}
                    problems={problems}
                    onChange={(next) => props.onChange({ ...rules, [key]: next })}
                  />
                </details>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
