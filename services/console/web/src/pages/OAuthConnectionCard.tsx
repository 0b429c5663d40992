import { useMutation } from '@tanstack/react-query';
import type { Destination } from '../../../src/api/types';
import { api, formatTime } from '../api';
import { ErrorNotice } from '../components/FormField';

// A destination that connects with OAuth: whether it is connected, and the button that sends the
// browser to the provider's consent page (it comes back to the console's /oauth/callback, then
// here). No token is ever shown: the console never has one.

const STATE_WORDS: Record<NonNullable<Destination['oauth']>['state'], string> = {
  not_connected: 'Not connected',
  connected: 'Connected',
  reconnect_needed: 'Reconnect needed',
};

export function OAuthConnectionCard({
  destination,
  path,
  canWrite,
  onUpdate,
}: {
  destination: Destination;
  path: string;
  canWrite: boolean;
  onUpdate: () => void;
}) {
  const oauth = destination.oauth;
  const connect = useMutation({
    mutationFn: () => api.post<{ authorizeUrl: string }>(`${path}/oauth/connect`, {}),
    onSuccess: (started) => window.location.assign(started.authorizeUrl),
  });
  const disconnect = useMutation({ mutationFn: () => api.delete(`${path}/oauth`), onSuccess: onUpdate });
  if (!oauth) return null;
  const badge = oauth.state === 'connected' ? 'enabled' : 'disabled';
  return (
    <section className="card" aria-label="Connection">
      <h2>
        Connection <span className={`badge badge-${badge}`}>{STATE_WORDS[oauth.state]}</span>
      </h2>
      {oauth.state === 'connected' ? (
        <p className="muted">
          Connected {formatTime(oauth.connectedAt)} by {oauth.connectedBy}.
        </p>
      ) : null}
      {oauth.state === 'reconnect_needed' ? (
        <p role="alert">
          {destination.type} refused the connection ({oauth.problem}) on {formatTime(oauth.problemAt)}. Events wait in
          the retry topics until it is connected again; those still waiting when the retry window ends are dead-lettered
          and can be redriven.
        </p>
      ) : null}
      {oauth.state === 'not_connected' ? (
        <p className="muted">Connect with OAuth, or set a token in the settings if {destination.type} takes one.</p>
      ) : null}
      <ErrorNotice error={connect.error ?? disconnect.error} />
      {canWrite ? (
        <div className="row">
          <button onClick={() => connect.mutate()} disabled={connect.isPending}>
            {oauth.state === 'not_connected' ? `Connect ${destination.type}` : `Reconnect ${destination.type}`}
          </button>
          {oauth.state !== 'not_connected' ? (
            <button className="link-button" onClick={() => disconnect.mutate()}>
              Forget the connection
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
