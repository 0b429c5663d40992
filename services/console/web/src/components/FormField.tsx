import type { ReactNode } from 'react';

/** A labelled form control with the server's message for it underneath. */
export function FormField(props: {
  label: string;
  htmlFor: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.htmlFor}>{props.label}</label>
      {props.children}
      {props.hint && !props.error ? <div className="hint">{props.hint}</div> : null}
      {props.error ? (
        <div className="field-error" role="alert" id={`${props.htmlFor}-error`}>
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** The general message of a failed request, for problems not tied to one field. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

/** A password input with its label and the server's message for it. */
export function PasswordField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** new-password lets browsers offer to generate and save one; current-password to fill it in. */
  autoComplete: 'new-password' | 'current-password';
  error?: string | undefined;
  hint?: string;
}) {
  return (
    <FormField label={props.label} htmlFor={props.id} error={props.error} hint={props.hint}>
      <input
        id={props.id}
        type="password"
        autoComplete={props.autoComplete}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        required
      />
    </FormField>
  );
}
