import type { CatalogActionField } from '../../../../src/api/types';
import { SOURCE_KINDS, switchKind, type FieldSource } from '../../../../src/shared/mappings/field-source';
import { FormField } from '../../components/FormField';

const PLACEHOLDERS: Partial<Record<FieldSource['kind'], string>> = {
  path: '$.properties.plan',
  template: 'Viewed {{properties.name}}',
  liquid: '{{ properties.plan | upcase }}{% if properties.trial %} (trial){% endif %}',
  number: '0',
};

/**
 * One field of an action: its label, type, whether it is required and its description, and
 * where its value comes from: an event field (suggested from recent events), a template, a Liquid
 * template, a fixed value, or a mapping in JSON for any other directive. `error` is the server's or the editor's
 * problem with it.
 */
export function FieldSourceControl(props: {
  idPrefix: string;
  field: Pick<CatalogActionField, 'name' | 'label' | 'type' | 'description' | 'required'>;
  source: FieldSource;
  onChange(source: FieldSource): void;
  /** The id of the datalist of event paths. */
  pathsList: string;
  error: string | undefined;
  disabled: boolean;
}) {
  const { field, source } = props;
  const kindId = `${props.idPrefix}-kind`;
  const valueId = `${props.idPrefix}-value`;
  const errorId = `${valueId}-error`;
  const invalid = props.error
    ? { 'aria-invalid': true as const, 'aria-describedby': errorId }
    : field.description
      ? { 'aria-describedby': `${valueId}-hint` }
      : {};
  const valueProps = {
    id: valueId,
    disabled: props.disabled,
    'aria-required': field.required,
    ...invalid,
  };
  let value;
  switch (source.kind) {
    case 'none':
      value = null;
      break;
    case 'boolean':
      value = (
        <select
          {...valueProps}
          value={source.text}
          onChange={(e) => props.onChange({ ...source, text: e.target.value })}
        >
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
      break;
    case 'json':
    case 'liquid':
      value = (
        <textarea
          {...valueProps}
          rows={Math.min(8, source.text.split('\n').length + 1)}
          spellCheck={false}
          placeholder={PLACEHOLDERS[source.kind]}
          value={source.text}
          onChange={(e) => props.onChange({ ...source, text: e.target.value })}
        />
      );
      break;
    default:
      value = (
        <input
          {...valueProps}
          type="text"
          autoComplete="off"
          spellCheck={false}
          list={source.kind === 'path' ? props.pathsList : undefined}
          placeholder={PLACEHOLDERS[source.kind]}
          inputMode={source.kind === 'number' ? 'decimal' : undefined}
          value={source.text}
          onChange={(e) => props.onChange({ ...source, text: e.target.value })}
        />
      );
  }
  const label = `${field.label}${field.required ? ' *' : ''}`;
  return (
    <div className="mapping-field" data-field={field.name}>
      <FormField label={label} htmlFor={source.kind === 'none' ? kindId : valueId} error={props.error}>
        <div className="mapping-field-meta">
          <code>{field.name}</code> <span className="badge">{field.type}</span>
          {field.required ? <span className="badge badge-required">required</span> : null}
        </div>
        <div className="mapping-source">
          <select
            id={kindId}
            aria-label={`${field.label}: value from`}
            value={source.kind}
            disabled={props.disabled}
            onChange={(e) => props.onChange(switchKind(source, e.target.value as FieldSource['kind']))}
          >
            {SOURCE_KINDS.map((kind) => (
              <option key={kind.id} value={kind.id}>
                {kind.label}
              </option>
            ))}
          </select>
          {value}
        </div>
        {field.description ? (
          <div className="hint" id={`${valueId}-hint`}>
            {field.description}
          </div>
        ) : null}
      </FormField>
    </div>
  );
}
