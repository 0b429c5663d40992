import type { HttpRequestSample, HttpResponseSample } from '../../../src/api/types';

/** Pretty-printed when it is JSON, as sent otherwise. */
function bodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function Headers({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return null;
  return (
    <dl className="headers">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className="wrap-anywhere">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A request to a destination, as the server shows it: every credential already masked. */
export function RequestView({
  request,
}: {
  request: Pick<HttpRequestSample, 'method' | 'url' | 'headers'> & { body?: string };
}) {
  return (
    <>
      <p className="wrap-anywhere">
        <code>
          {request.method} {request.url}
        </code>
      </p>
      <Headers headers={request.headers} />
      {request.body ? (
        <pre className="json wrap-anywhere" aria-label="Request body">
          {bodyText(request.body)}
        </pre>
      ) : null}
    </>
  );
}

/**
 * A request sent to a destination and what came back, as stored: every credential already
 * masked by the server. The delivery view's error samples, dead letters and traces show it alike.
 */
export function ExchangeView({
  request,
  response,
  label,
}: {
  request: HttpRequestSample | null;
  response: HttpResponseSample | null;
  label?: string;
}) {
  return (
    <div className="exchange" aria-label={label}>
      <div>
        <h4>Request</h4>
        {request ? <RequestView request={request} /> : <p className="muted">No request was made.</p>}
      </div>
      <div>
        <h4>Answer</h4>
        {!response ? (
          <p className="muted">None.</p>
        ) : response.error ? (
          <p className="wrap-anywhere">No answer: {response.error}</p>
        ) : (
          <>
            <p>
              <code>HTTP {response.status}</code>
            </p>
            <Headers headers={response.headers} />
            {response.bodyExcerpt ? (
              <pre className="json wrap-anywhere" aria-label="Answer body">
                {bodyText(response.bodyExcerpt)}
              </pre>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
