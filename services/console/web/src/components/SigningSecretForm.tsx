import { useState } from 'react';
import { ApiError } from '../api';
import { FormField } from './FormField';

/** How long the replaced secret is still accepted, offered in the form (the API allows up to 7 days). */
const GRACE_CHOICES: ReadonlyArray<{ seconds: number | 'none'; label: string }> = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 259_200, label: '3 days' },
  { seconds: 604_800, label: '7 days' },
  { seconds: 'none', label: 'not at all (replace it now)' },
];

/**
 * Sets or rotates a webhook source's signing secret. With a secret already set, the old one stays
 * accepted for the chosen grace period, so deliveries the app signed before it switched are not
 * refused meanwhile. The secret is typed, never shown back: reads give it masked.
 */
export function SigningSecretForm(props: {
  /** Whether a secret is set now (then this is a rotation with a grace period). */
  hasSecret: boolean;
  busy: boolean;
  error: unknown;
  onSubmit(secret: string, graceSeconds: number | undefined): void;
}) {
  const [secret, setSecret] = useState('');
  const [grace, setGrace] = useState('86400');
  const error = props.error instanceof ApiError ? props.error : undefined;
  const verb = props.hasSecret ? 'Rotate' : 'Set';
  return (
    <form
      aria-label={`${verb} signing secret`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!secret) return;
        props.onSubmit(secret, props.hasSecret && grace !== 'none' ? Number(grace) : undefined);
        setSecret('');
      }}
    >
      <FormField
        label={props.hasSecret ? 'New signing secret' : 'Signing secret'}
        htmlFor="new-signing-secret"
        error={error?.fieldMessage('webhook.signing_secret')}
        hint="As the app shows it. Deliveries without a valid signature are refused once it is saved."
      >
        <input
          id="new-signing-secret"
          type="password"
          autoComplete="off"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      </FormField>
      {props.hasSecret ? (
        <FormField
          label="The current secret is still accepted for"
          htmlFor="signing-secret-grace"
          error={error?.fieldMessage('webhook.previous_secret_grace_seconds')}
        >
          <select id="signing-secret-grace" value={grace} onChange={(e) => setGrace(e.target.value)}>
            {GRACE_CHOICES.map((choice) => (
              <option key={choice.label} value={String(choice.seconds)}>
                {choice.label}
              </option>
            ))}
          </select>
        </FormField>
      ) : null}
      <button type="submit" disabled={!secret || props.busy}>
        {verb} signing secret
      </button>
    </form>
  );
}
