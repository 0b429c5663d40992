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
