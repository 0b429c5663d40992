import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { CatalogAction, CatalogActionField } from '../../../../src/api/types';
import { sourceOf } from '../../../../src/shared/mappings/field-source';
import { FormField } from '../../components/FormField';
import { FieldSourceControl } from './FieldSourceControl';
import { TriggerBuilder } from './TriggerBuilder';
import { withAction, type DraftMapping, type MappingProblems } from './draft';

/** A field the mapping sets that its action does not have (the server names it; it can only be removed). */
function unknownField(name: string): CatalogActionField {
  return {
    name,
    label: name,
    type: 'any',
    description: 'Not a field of this action: choose “Not mapped” to remove it.',
    required: false,
  };
}

/**
 * One mapping: its name, whether it runs, its action, its trigger and where each of the action's
 * fields comes from. Enter in a text box saves the mappings, Escape closes the editor; problems
 * (the editor's own and the server's) are shown next to what they are about.
 */
export function MappingEditor(props: {
  draft: DraftMapping;
  index: number;
  actions: CatalogAction[];
  onChange(draft: DraftMapping): void;
  /** Problems the server found, and values the editor cannot read (field → why). */
  problems: MappingProblems | undefined;
  typed: Record<string, string>;
  /** Datalists: event paths with `$.` (fields) and without (trigger conditions), event names. */
  pathsList: string;
  barePathsList: string;
  namesList: string;
  canWrite: boolean;
  saving: boolean;
  onSave(): void;
  onClose(): void;
  children?: ReactNode;
}) {
  const { draft, problems } = props;
  const id = `mapping-${draft.key}`;
  const action = props.actions.find((a) => a.id === draft.action);
  const fields = [
    ...(action?.fields ?? []),
    ...Object.keys(draft.sources)
      .filter((name) => !action?.fields.some((f) => f.name === name))
      .map(unknownField),
  ];
  const disabled = !props.canWrite;
  const [find, setFind] = useState('');
  const [mappedOnly, setMappedOnly] = useState(false);
  const errorOf = (name: string) => props.typed[name] ?? problems?.fields[name];
  // A field with a problem is always listed, whatever the filter.
  const shown = fields.filter(
    (f) =>
      errorOf(f.name) !== undefined ||
      ((!mappedOnly || f.required || f.name in draft.sources) &&
        (!find.trim() || `${f.name} ${f.label}`.toLowerCase().includes(find.trim().toLowerCase()))),
  );
  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    props.onClose();
  };
  return (
    <section
      className="mapping-editor"
      aria-labelledby={`${id}-title`}
      onKeyDown={onKeyDown}
      data-testid="mapping-editor"
    >
      <div className="section-header">
        <h3 id={`${id}-title`} tabIndex={-1}>
          Mapping {props.index + 1}: {draft.name || 'unnamed'}
        </h3>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onSave();
        }}
      >
        <div className="row">
          <FormField label="Name" htmlFor={`${id}-name`} error={problems?.parts['name']}>
            <input
              id={`${id}-name`}
              type="text"
              value={draft.name}
              disabled={disabled}
              onChange={(e) => props.onChange({ ...draft, name: e.target.value })}
            />
          </FormField>
          <FormField
            label="Action"
            htmlFor={`${id}-action`}
            error={problems?.parts['action']}
            hint={action?.description}
          >
            <select
              id={`${id}-action`}
              value={draft.action}
              disabled={disabled}
              onChange={(e) => {
                const next = props.actions.find((a) => a.id === e.target.value);
                if (next) props.onChange(withAction(draft, next));
              }}
            >
              {action ? null : <option value={draft.action}>{draft.action} (unknown)</option>}
              {props.actions.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.title}
                </option>
              ))}
            </select>
          </FormField>
          <label className="checkbox-label">
            <input
              type="checkbox"
              checked={draft.enabled}
              disabled={disabled}
              onChange={(e) => props.onChange({ ...draft, enabled: e.target.checked })}
            />
            Enabled
          </label>
        </div>
        <TriggerBuilder
          idPrefix={`${id}-trigger`}
          trigger={draft.trigger}
          onChange={(trigger) => props.onChange({ ...draft, trigger })}
          pathsList={props.barePathsList}
          namesList={props.namesList}
          error={problems?.parts['trigger']}
          disabled={disabled}
        />
        <fieldset className="mapping-fields">
          <legend>Fields of {action?.title ?? draft.action}</legend>
          <p className="hint">
            * required. “Event field” takes a path of the event (suggested from recent events); a template fills{' '}
            <code>{'{{path}}'}</code> from the event; “Mapping (JSON)” takes any mapping directive (@if, @case,
            @replace…).
          </p>
          <div className="row">
            <FormField label="Find a field" htmlFor={`${id}-find`}>
              <input
                id={`${id}-find`}
                type="search"
                value={find}
                onChange={(e) => setFind(e.target.value)}
                onKeyDown={(e) => {
                  // Enter here filters; it does not save.
                  if (e.key === 'Enter') e.preventDefault();
                }}
              />
            </FormField>
            <label className="checkbox-label field-button">
              <input type="checkbox" checked={mappedOnly} onChange={(e) => setMappedOnly(e.target.checked)} />
              Only mapped and required fields
            </label>
          </div>
          <p className="hint" aria-live="polite">
            {shown.length === fields.length ? `${fields.length} fields` : `${shown.length} of ${fields.length} fields`}
          </p>
          {shown.map((field) => (
            <FieldSourceControl
              key={field.name}
              idPrefix={`${id}-field-${field.name}`}
              field={field}
              source={draft.sources[field.name] ?? sourceOf(undefined)}
              onChange={(source) => {
                const sources = { ...draft.sources };
                if (source.kind === 'none') delete sources[field.name];
                else sources[field.name] = source;
                props.onChange({ ...draft, sources });
              }}
              pathsList={props.pathsList}
              error={errorOf(field.name)}
              disabled={disabled}
            />
          ))}
        </fieldset>
        {props.canWrite ? (
          <div className="actions">
            <button type="submit" className="primary" disabled={props.saving}>
              Save mappings
            </button>
            <span className="hint">Saves every mapping of this destination as a new version.</span>
          </div>
        ) : null}
      </form>
      {props.children}
    </section>
  );
}
