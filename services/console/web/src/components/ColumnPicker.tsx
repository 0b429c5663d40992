import { useState } from 'react';
import {
  MAX_CHOSEN_COLUMNS,
  TABLE_COLUMNS,
  TOO_MANY_COLUMNS_REASON,
  type TablePage,
} from '../../../src/shared/columns';
import { ApiError } from '../api';
import { Popover } from './Popover';

/** Checkboxes for a table's property columns; a sixth is refused here, with the reason. */
export function ColumnPicker(props: {
  page: TablePage;
  chosen: readonly string[];
  onChange(columns: string[]): Promise<unknown>;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const toggle = async (field: string, checked: boolean) => {
    if (checked && props.chosen.length >= MAX_CHOSEN_COLUMNS) {
      setMessage(TOO_MANY_COLUMNS_REASON);
      return;
    }
    setMessage(null);
    const next = checked ? [...props.chosen, field] : props.chosen.filter((c) => c !== field);
    try {
      await props.onChange(next);
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : String(error));
    }
  };
  return (
    <Popover className="column-picker" summary={`Columns (${props.chosen.length}/${MAX_CHOSEN_COLUMNS})`}>
      <div className="column-picker-menu" role="group" aria-label="Choose columns">
        {TABLE_COLUMNS[props.page].map((column) => (
          <label key={column.field}>
            <input
              type="checkbox"
              name={`column-${column.field}`}
              checked={props.chosen.includes(column.field)}
              onChange={(e) => void toggle(column.field, e.target.checked)}
            />
            {column.label}
          </label>
        ))}
        {message ? (
          <p className="field-error" role="alert" data-testid="column-limit-message">
            {message}
          </p>
        ) : null}
      </div>
    </Popover>
  );
}
