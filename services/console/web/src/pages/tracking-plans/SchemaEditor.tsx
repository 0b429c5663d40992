import { useState } from 'react';
import type { FieldError } from '../../api';
import { DataTable, type Column } from '../../components/DataTable';
import { FormField } from '../../components/FormField';
import {
  problemProperty,
  propertyRowProblem,
  propertyRows,
  withoutProperty,
  withProperty,
  PROPERTY_TYPES,
  type JsonSchema,
  type PropertyRow,
  type PropertyType,
} from '../../../../src/shared/tracking-plans/schema-properties';
import { CommitInput } from './CommitInput';

const TYPE_LABELS: Record<PropertyType, string> = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'true/false',
  object: 'object',
  array: 'array',
  any: 'any',
  other: 'other (see JSON Schema)',
};

/** A form-safe id part from a schema's name ("Order Completed" → "order-completed-…"). */
function idPart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function TypeSelect(props: {
  id?: string;
  label: string;
  value: PropertyType;
  disabled: boolean;
  onChange(t: PropertyType): void;
}) {
  const options: PropertyType[] = props.value === 'other' ? [...PROPERTY_TYPES, 'other'] : [...PROPERTY_TYPES];
  return (
    <select
      id={props.id}
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.value as PropertyType)}
    >
      {options.map((t) => (
        <option key={t} value={t}>
          {TYPE_LABELS[t]}
        </option>
      ))}
    </select>
  );
}

/**
 * One JSON Schema of a plan (an event's properties, identify or group traits, page properties):
 * its top-level properties as a table (type, required, allowed values, pattern) and the whole
 * schema as JSON for everything else (formats, bounds, nested objects). The server's problems for
 * this schema are shown on it, and on the property they name.
 */
export function SchemaEditor(props: {
  /** What the schema describes, e.g. "Order Completed" or "Identify traits". */
  label: string;
  schema: JsonSchema;
  canWrite: boolean;
  problems: FieldError[];
  onChange(schema: JsonSchema): void;
}) {
  const { schema, canWrite } = props;
  const base = `schema-${idPart(props.label)}`;
  const rows = propertyRows(schema);
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const [adding, setAdding] = useState<PropertyRow>({
    name: '',
    type: 'string',
    required: false,
    allowed: '',
    pattern: '',
  });
  const [addError, setAddError] = useState<string | undefined>();

  const write = (previous: string | undefined, row: PropertyRow): string | undefined => {
    const problem = propertyRowProblem(schema, previous, row);
    if (!problem) props.onChange(withProperty(schema, previous, row));
    return problem;
  };
  const change = (row: PropertyRow, patch: Partial<PropertyRow>) => {
    const problem = write(row.name, { ...row, ...patch });
    setRowErrors((errors) => {
      const next = { ...errors };
      if (problem) next[row.name] = problem;
      else delete next[row.name];
      return next;
    });
  };
  const serverProblem = (name: string) => props.problems.find((p) => problemProperty(p.field) === name)?.message;

  const columns: Column<PropertyRow>[] = [
    {
      id: 'name',
      header: 'Property',
      cell: (row) => {
        const problem = rowErrors[row.name] ?? serverProblem(row.name);
        return (
          <>
            <code>{row.name}</code>
            {problem ? (
              <div className="field-error" role="alert" id={`${base}-${idPart(row.name)}-error`}>
                {problem}
              </div>
            ) : null}
          </>
        );
      },
    },
    {
      id: 'type',
      header: 'Type',
      cell: (row) => (
        <TypeSelect
          label={`Type of ${row.name}`}
          value={row.type}
          disabled={!canWrite}
          onChange={(type) => change(row, { type })}
        />
      ),
    },
    {
      id: 'required',
      header: 'Required',
      cell: (row) => (
        <input
          type="checkbox"
          aria-label={`${row.name} is required`}
          checked={row.required}
          disabled={!canWrite}
          onChange={(e) => change(row, { required: e.target.checked })}
        />
      ),
    },
    {
      id: 'allowed',
      header: 'Allowed values',
      cell: (row) => (
        <CommitInput
          aria-label={`Allowed values of ${row.name}`}
          placeholder="any"
          value={row.allowed}
          disabled={!canWrite || row.type === 'object' || row.type === 'array'}
          aria-invalid={rowErrors[row.name] ? true : undefined}
          aria-describedby={rowErrors[row.name] ? `${base}-${idPart(row.name)}-error` : undefined}
          onCommit={(allowed) => change(row, { allowed })}
        />
      ),
    },
    {
      id: 'pattern',
      header: 'Pattern',
      cell: (row) => (
        <CommitInput
          aria-label={`Pattern of ${row.name}`}
          placeholder={row.type === 'string' ? 'any' : '—'}
          value={row.pattern}
          disabled={!canWrite || (row.type !== 'string' && row.type !== 'any' && row.type !== 'other')}
          onCommit={(pattern) => change(row, { pattern })}
        />
      ),
    },
    {
      id: 'remove',
      header: 'Actions',
      cell: (row) =>
        canWrite ? (
          <button
            type="button"
            aria-label={`Remove property ${row.name}`}
            onClick={() => props.onChange(withoutProperty(schema, row.name))}
          >
            Remove
          </button>
        ) : null,
    },
  ];

  const add = () => {
    const problem = write(undefined, { ...adding, name: adding.name.trim() });
    setAddError(problem);
    if (!problem) setAdding({ name: '', type: 'string', required: false, allowed: '', pattern: '' });
  };
  const schemaProblems = props.problems.filter(
    (p) => problemProperty(p.field) === undefined || !rows.some((r) => r.name === problemProperty(p.field)),
  );

  return (
    <div className="schema-editor">
      {props.problems.length > 0 ? (
        <ul className="notice notice-error" role="alert" aria-label={`Problems with ${props.label}`}>
          {props.problems.map((p) => (
            <li key={`${p.field} ${p.message}`} className="wrap-anywhere">
              <code>{p.field.replace(/^rules\.[^/]*/, '') || '(schema)'}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      <DataTable
        compact
        label={`Properties of ${props.label}`}
        columns={columns}
        rows={rows}
        rowKey={(row) => row.name}
        empty="No properties listed: any properties pass."
      />
      {canWrite ? (
        <div className="row plan-add-property" role="group" aria-label={`Add a property to ${props.label}`}>
          <FormField label="New property" htmlFor={`${base}-new`} error={addError}>
            <input
              id={`${base}-new`}
              value={adding.name}
              aria-invalid={addError ? true : undefined}
              aria-describedby={addError ? `${base}-new-error` : undefined}
              onChange={(e) => setAdding({ ...adding, name: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
            />
          </FormField>
          <FormField label="Type" htmlFor={`${base}-new-type`}>
            <TypeSelect
              id={`${base}-new-type`}
              label="Type of the new property"
              value={adding.type}
              disabled={false}
              onChange={(type) => setAdding({ ...adding, type })}
            />
          </FormField>
          <label className="checkbox-label">
            <input
              type="checkbox"
              checked={adding.required}
              onChange={(e) => setAdding({ ...adding, required: e.target.checked })}
            />{' '}
            Required
          </label>
          <button type="button" onClick={add}>
            Add property
          </button>
        </div>
      ) : null}
      <RawSchema
        id={`${base}-json`}
        label={props.label}
        schema={schema}
        canWrite={canWrite}
        invalid={schemaProblems.length > 0}
        onChange={props.onChange}
      />
    </div>
  );
}

/** The whole schema as JSON, applied to the draft when it parses as a JSON object. */
function RawSchema(props: {
  id: string;
  label: string;
  schema: JsonSchema;
  canWrite: boolean;
  invalid: boolean;
  onChange(schema: JsonSchema): void;
}) {
  const written = JSON.stringify(props.schema, null, 2);
  const [text, setText] = useState(written);
  const [seen, setSeen] = useState(written);
  const [error, setError] = useState<string | undefined>();
  if (written !== seen) {
    setSeen(written);
    setText(written);
    setError(undefined);
  }
  const apply = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      setError(`Not valid JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setError('A JSON Schema here is an object, e.g. {"type": "object", "properties": {}}.');
      return;
    }
    setError(undefined);
    props.onChange(parsed as JsonSchema);
  };
  return (
    <details className="raw-schema disclosure">
      <summary>JSON Schema of {props.label}</summary>
      <FormField
        label={`JSON Schema of ${props.label}`}
        htmlFor={props.id}
        error={error}
        hint="Draft 2020-12: formats, bounds, nested objects and anything the table does not show."
      >
        <textarea
          id={props.id}
          className="code"
          rows={10}
          spellCheck={false}
          value={text}
          readOnly={!props.canWrite}
          aria-invalid={error || props.invalid ? true : undefined}
          aria-describedby={error ? `${props.id}-error` : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </FormField>
      {props.canWrite ? (
        <button type="button" onClick={apply} disabled={text === written}>
          Apply JSON
        </button>
      ) : null}
    </details>
  );
}
