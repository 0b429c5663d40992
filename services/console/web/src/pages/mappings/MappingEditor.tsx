import type { KeyboardEvent, ReactNode } from 'react';
import type { CatalogAction } from '../../../../src/api/types';
import { FormField } from '../../components/FormField';
import { ActionFields } from './ActionFields';
import { ActionSelect } from './ActionSelect';
import { TriggerBuilder } from './TriggerBuilder';
import { withAction, type DraftMapping, type MappingProblems } from './draft';

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
  const disabled = !props.canWrite;
  const errors = { ...problems?.fields, ...props.typed };
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
          <ActionSelect
            id={`${id}-action`}
            actions={props.actions}
            value={draft.action}
            onChange={(next) => props.onChange(withAction(draft, next))}
            error={problems?.parts['action']}
            disabled={disabled}
          />
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
        <ActionFields
          idPrefix={id}
          action={action}
          actionId={draft.action}
          sources={draft.sources}
          onChange={(sources) => props.onChange({ ...draft, sources })}
          errors={errors}
          pathsList={props.pathsList}
          hint={
            <>
              * required. “Event field” takes a path of the event (suggested from recent events); a template fills{' '}
              <code>{'{{path}}'}</code> from the event; a Liquid template renders with filters and conditions (
              <code>{'{{ properties.plan | upcase }}'}</code>); “Mapping (JSON)” takes any mapping directive (@if,
              @case, @replace…).
            </>
          }
          disabled={disabled}
        />
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
