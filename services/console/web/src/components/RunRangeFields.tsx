import type { ApiError } from '../api';
import { FormField } from './FormField';

/** A run's time range (datetime-local values; `to` empty: until it starts) and its rate. */
export interface RunRange {
  from: string;
  to: string;
  rate: number;
}

/**
 * The time range and rate fields a replay form asks for (event replays and quarantine replays),
 * each with the server's message for it.
 */
export function RunRangeFields(props: {
  idPrefix: string;
  fromLabel: string;
  toLabel: string;
  range: RunRange;
  onChange(range: RunRange): void;
  error: ApiError | undefined;
}) {
  const { idPrefix, range, onChange, error } = props;
  return (
    <>
      <FormField label={props.fromLabel} htmlFor={`${idPrefix}-from`} error={error?.fieldMessage('from')}>
        <input
          id={`${idPrefix}-from`}
          type="datetime-local"
          value={range.from}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
        />
      </FormField>
      <FormField label={props.toLabel} htmlFor={`${idPrefix}-to`} error={error?.fieldMessage('to')}>
        <input
          id={`${idPrefix}-to`}
          type="datetime-local"
          value={range.to}
          onChange={(e) => onChange({ ...range, to: e.target.value })}
        />
      </FormField>
      <FormField
        label="Events per second at most"
        htmlFor={`${idPrefix}-rate`}
        error={error?.fieldMessage('ratePerSecond')}
      >
        <input
          id={`${idPrefix}-rate`}
          type="number"
          min={1}
          value={range.rate}
          onChange={(e) => onChange({ ...range, rate: Number(e.target.value) })}
        />
      </FormField>
    </>
  );
}
