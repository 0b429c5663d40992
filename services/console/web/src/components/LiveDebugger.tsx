import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';

/** One event as the ingestion's debugger reports it. */
export interface DebuggerEntry {
  seq: number;
  at: string;
  /** blocked: accepted from the sender, but its source's tracking plan sent it to quarantine. */
  status: 'accepted' | 'rejected' | 'failed' | 'blocked';
  type?: string;
  messageId?: string;
  reason?: { code: string; message: string };
  event: unknown;
  /** A webhook delivery's events: which signing secret matched (never the secret). */
  webhook?: { kind: string; signedWith: 'current' | 'previous' | 'unverified' };
}

const MAX_ENTRIES = 500;

function eventName(entry: DebuggerEntry): string {
  const event = entry.event as Record<string, unknown> | null;
  if (!event || typeof event !== 'object') return '';
  if (typeof event['event'] === 'string') return event['event'];
  if (typeof event['name'] === 'string') return event['name'];
  const properties = event['properties'] as Record<string, unknown> | undefined;
  if (entry.type === 'page' && typeof properties?.['path'] === 'string') return properties['path'];
  return '';
}

/** Who the event is about: its userId, else its anonymousId. */
function identity(entry: DebuggerEntry): { kind: 'user' | 'anonymous'; id: string } | undefined {
  const event = entry.event as Record<string, unknown> | null;
  if (!event || typeof event !== 'object') return undefined;
  const id = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  if (id(event['userId'])) return { kind: 'user', id: id(event['userId']) };
  if (id(event['anonymousId'])) return { kind: 'anonymous', id: id(event['anonymousId']) };
  return undefined;
}

/**
 * Events of one source as ingestion accepts or rejects them, streamed through the console;
 * `traceUrl` links an accepted event to its per-event trace.
 */
export function LiveDebugger({ streamUrl, traceUrl }: { streamUrl: string; traceUrl?: (messageId: string) => string }) {
  const [entries, setEntries] = useState<DebuggerEntry[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'error'>('connecting');
  const [paused, setPaused] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    const source = new EventSource(streamUrl);
    const onEntry = (message: MessageEvent<string>) => {
      if (pausedRef.current) return;
      const entry = JSON.parse(message.data) as DebuggerEntry;
      setEntries((current) => [entry, ...current.filter((e) => e.seq !== entry.seq)].slice(0, MAX_ENTRIES));
    };
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'error' : 'connecting');
    for (const name of ['accepted', 'rejected', 'failed', 'blocked'])
      source.addEventListener(name, onEntry as EventListener);
    return () => source.close();
  }, [streamUrl]);

  return (
    <section className="card debugger" aria-label="Live debugger">
      <div className="section-header">
        <h2>Live debugger</h2>
        <span className={`badge badge-${state}`} data-testid="debugger-state">
          {paused ? 'paused' : state}
        </span>
        <button onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</button>
        <button onClick={() => setEntries([])}>Clear</button>
      </div>
      {entries.length === 0 ? <p className="muted">Waiting for events… Send one with the snippet below.</p> : null}
      <ol className="debugger-list" data-testid="debugger-events">
        {entries.map((entry) => {
          const who = identity(entry);
          return (
            <li
              key={entry.seq}
              className={`debugger-entry debugger-${entry.status}`}
              data-status={entry.status}
              data-type={entry.type ?? ''}
            >
              <button className="debugger-row" onClick={() => setOpen(open === entry.seq ? null : entry.seq)}>
                <span className={`badge badge-${entry.status}`}>{entry.status}</span>
                <span className="debugger-type">{entry.type ?? '?'}</span>
                <span className="debugger-name">{eventName(entry)}</span>
                <span
                  className="debugger-user"
                  data-testid="debugger-user"
                  title={
                    who ? `${who.kind === 'user' ? 'userId' : 'anonymousId'} ${who.id}` : 'no userId or anonymousId'
                  }
                >
                  {who ? `${who.kind === 'user' ? 'user' : 'anon'} ${who.id}` : '—'}
                </span>
                {entry.webhook && entry.webhook.signedWith !== 'current' ? (
                  <span className="muted" data-testid="debugger-signed-with">
                    {entry.webhook.signedWith === 'previous' ? 'signed with the previous secret' : 'not verified'}
                  </span>
                ) : null}
                {entry.reason ? (
                  <span className="debugger-reason" data-testid="debugger-reason">
                    {entry.reason.code}: {entry.reason.message}
                  </span>
                ) : null}
                <time className="muted">{new Date(entry.at).toLocaleTimeString()}</time>
              </button>
              {traceUrl && entry.status === 'accepted' && entry.messageId ? (
                <Link className="debugger-trace" to={traceUrl(entry.messageId)} data-testid="debugger-trace">
                  Trace
                </Link>
              ) : null}
              {open === entry.seq ? <pre className="json">{JSON.stringify(entry.event, null, 2)}</pre> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
