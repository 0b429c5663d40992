import type { CatalogAction } from '../../../../src/api/types';
import { FormField } from '../../components/FormField';

/** Which of the destination's actions runs; an action the catalog entry no longer has stays shown as unknown. */
export function ActionSelect(props: {
  id: string;
  actions: CatalogAction[];
  value: string;
  onChange(action: CatalogAction): void;
  error: string | undefined;
  disabled: boolean;
}) {
  const action = props.actions.find((a) => a.id === props.value);
  return (
    <FormField label="Action" htmlFor={props.id} error={props.error} hint={action?.description}>
      <select
        id={props.id}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => {
          const next = props.actions.find((a) => a.id === e.target.value);
          if (next) props.onChange(next);
        }}
      >
        {action || !props.value ? null : <option value={props.value}>{props.value} (unknown)</option>}
        {props.actions.map((a) => (
          <option key={a.id} value={a.id}>
            {a.title}
          </option>
        ))}
      </select>
    </FormField>
  );
}
