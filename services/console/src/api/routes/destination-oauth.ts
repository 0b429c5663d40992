import { z } from 'zod';
import { fromMessage } from '../from-message';
import { OAuthConnection } from '../models';
import { defineRoute } from '../route';
import { destinationParams } from './destinations';
import { HttpError } from '../../server/http-error';

// The OAuth connection of a destination whose catalog entry connects with OAuth. The web app's
// "Connect" asks for the provider's consent page and sends the browser there; the provider sends
// it back to /oauth/callback (server/oauth-callback.ts), where the control plane exchanges the
// code. Tokens never reach the console's API or the browser.

/** Where the provider sends the browser back: register it with the OAuth app. */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

export const destinationOAuthRoutes = [
  defineRoute({
    method: 'post',
    path: '/workspaces/:workspace/destinations/:destination/oauth/connect',
    operationId: 'startDestinationOAuth',
    summary: "The provider's consent page for this destination (open it in the same browser session)",
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    response: z.object({ authorizeUrl: z.string(), expiresAt: z.string() }),
    async handler({ controlPlane, email, workspace, params, origin, sessionBinding }) {
      if (!sessionBinding) throw new HttpError(403, 'forbidden', 'connect from a signed-in browser session');
      const started = await controlPlane.oauth.startOAuthConnection(
        {
          workspace: workspace!.id,
          destination: params.destination,
          redirectUri: `${origin}${OAUTH_CALLBACK_PATH}`,
          sessionBinding,
        },
        { actor: email },
      );
      return { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt?.toISOString() ?? '' };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/workspaces/:workspace/destinations/:destination/oauth',
    operationId: 'disconnectDestinationOAuth',
    summary: 'Forget the OAuth connection (its tokens are deleted; events wait until connected again)',
    tag: 'Destinations',
    access: 'write',
    params: destinationParams,
    response: OAuthConnection,
    async handler({ controlPlane, email, workspace, params }) {
      const connection = await controlPlane.oauth.disconnectOAuth(
        { workspace: workspace!.id, destination: params.destination },
        { actor: email },
      );
      return fromMessage(OAuthConnection, connection);
    },
  }),
];
