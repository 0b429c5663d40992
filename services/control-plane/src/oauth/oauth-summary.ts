import type { OAuthConnection } from '@manifold/proto';
import type { DestinationDoc } from '../store/documents';

/** What reads show of an instance's OAuth connection (never a token); undefined for types without OAuth. */
export function oauthSummary(doc: DestinationDoc, hasOAuth: boolean): OAuthConnection | undefined {
  if (!hasOAuth) return undefined;
  const oauth = doc.oauth;
  if (!oauth) return { state: 'not_connected', connectedBy: '', problem: '' };
  return {
    state: oauth.state,
    connectedAt: oauth.connectedAt,
    connectedBy: oauth.connectedBy,
    problem: oauth.problem,
    ...(oauth.problemAt ? { problemAt: oauth.problemAt } : {}),
  };
}
