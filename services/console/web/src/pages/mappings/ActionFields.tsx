import { useState, type ReactNode } from 'react';
import type { CatalogAction, CatalogActionField } from '../../../../src/api/types';
import { sourceOf, type FieldSource } from '../../../../src/shared/mappings/field-source';
import { FormField } from '../../components/FormField';
import { FieldSourceControl } from './FieldSourceControl';

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
 * The fields of an action and where each takes its value from: a destination mapping's and a
 * Reverse ETL connection's alike. A search box and "only mapped and required" narrow the list; a
 * field with a problem (`errors`: the editor's own and the server's, by field) is always shown.
 */
export function ActionFields(props: {
  idPrefix: string;
  action: CatalogAction | undefined;
  /** Shown in the legend when the action is not in the catalog entry. */
  actionId: string;
  sources: Record<string, FieldSource>;
  onChange(sources: Record<string, FieldSource>): void;
  errors: Record<string, string | undefined>;
  /** The id of the datalist of paths offered for "Event field". */
  pathsList: string;
  /** What the paths are and what else a value can be. */
  hint: ReactNode;
  disabled: boolean;
}) {
  const { action, sources, idPrefix } = props;
  const fields = [
    ...(action?.fields ?? []),
    ...Object.keys(sources)
      .filter((name) => !action?.fields.some((f) => f.name === name))
      .map(unknownField),
  ];
  const [find, setFind] = useState('');
  const [mappedOnly, setMappedOnly] = useState(false);
  const shown = fields.filter(
    (f) =>
      props.errors[f.name] !== undefined ||
      ((!mappedOnly || f.required || f.name in sources) &&
        (!find.trim() || `${f.name} ${f.label}`.toLowerCase().includes(find.trim().toLowerCase()))),
  );
  return (
    <fieldset className="mapping-fields">
      <legend>Fields of {action?.title ?? props.actionId}</legend>
      <p className="hint">{props.hint}</p>
      <div className="row">
        <FormField label="Find a field" htmlFor={`${idPrefix}-find`}>
          <input
            id={`${idPrefix}-find`}
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
          idPrefix={`${idPrefix}-field-${field.name}`}
          field={field}
          source={sources[field.name] ?? sourceOf(undefined)}
          onChange={(source) => {
            const next = { ...sources };
            if (source.kind === 'none') delete next[field.name];
            else next[field.name] = source;
            props.onChange(next);
          }}
          pathsList={props.pathsList}
          error={props.errors[field.name]}
          disabled={props.disabled}
        />
      ))}
    </fieldset>
  );
}
