import type { MaskedHttpRequest, MaskedHttpResponse } from '../../../src/api/types';

/** Pretty JSON when the body is JSON, else the text as it is. */
function bodyText(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A request sent to a destination and its answer, as stored: every credential already masked by the server. */
export function ExchangeView({
  request,
  response,
  label,
}: {
  request: MaskedHttpRequest | null;
  response: MaskedHttpResponse | null;
  label?: string;
}) {
  if (!request && !response) return null;
  return (
    <div className="exchange" aria-label={label ?? 'Request and answer'}>
      {request ? (
        <div>
          <h4>
            Request <code>{request.method}</code> <code className="exchange-url">{request.url}</code>
          </h4>
          <pre className="json exchange-headers">
            {Object.entries(request.headers)
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n')}
          </pre>
          {request.body ? <pre className="json">{bodyText(request.body)}</pre> : null}
        </div>
      ) : null}
      {response ? (
        <div>
          <h4>
            {response.error ? (
              <>No answer: {response.error}</>
            ) : (
              <>
                Answer <code>{response.status}</code>
              </>
            )}
          </h4>
          {response.body ? <pre className="json">{bodyText(response.body)}</pre> : null}
        </div>
      ) : null}
    </div>
  );
}
