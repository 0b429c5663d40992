import { z } from 'zod';
import { columnChoiceProblem, type TablePage } from '../../shared/columns';
import { HttpError, notFound } from '../../server/http-error';
import { ApiToken, Empty } from '../models';
import { defineRoute } from '../route';

const pageParams = z.object({ page: z.enum(['sources', 'destinations']) });
const columnsBody = z.object({ columns: z.array(z.string()) });

const presentToken = (t: {
  id: string;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
}) => ({
  id: t.id,
  name: t.name,
  hint: t.hint,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
});

export const accountRoutes = [
  defineRoute({
    method: 'get',
    path: '/me/columns/:page',
    operationId: 'getColumns',
    summary: "The caller's chosen property columns of a table",
    tag: 'Account',
    access: 'user',
    params: pageParams,
    response: columnsBody,
    async handler({ stores, email, params }) {
      return { columns: await stores.columnPreferences.get(email, params.page as TablePage) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/me/columns/:page',
    operationId: 'setColumns',
    summary: 'Choose up to five property columns of a table',
    tag: 'Account',
    access: 'user',
    params: pageParams,
    body: columnsBody,
    response: columnsBody,
    async handler({ stores, email, params, body }) {
      const problem = columnChoiceProblem(params.page, body.columns);
      if (problem)
        throw new HttpError(400, 'invalid_argument', problem.message, [{ field: 'columns', message: problem.message }]);
      await stores.columnPreferences.set(email, params.page, body.columns);
      return { columns: body.columns };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/me/tokens',
    operationId: 'listApiTokens',
    summary: "The caller's API tokens (never the tokens themselves)",
    tag: 'Account',
    access: 'user',
    sessionOnly: true,
    response: z.object({ tokens: z.array(ApiToken) }),
    async handler({ stores, email }) {
      return { tokens: (await stores.apiTokens.list(email)).map(presentToken) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/me/tokens',
    operationId: 'createApiToken',
    summary: 'Make an API token acting as the caller; the token is shown only in this response',
    tag: 'Account',
    access: 'user',
    sessionOnly: true,
    status: 201,
    body: z.object({ name: z.string().min(1).max(100) }),
    response: ApiToken.extend({ token: z.string().describe('Send as Authorization: Bearer <token>') }),
    async handler({ stores, email, body }) {
      const { token, summary } = await stores.apiTokens.create(email, body.name);
      return { ...presentToken(summary), token };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/me/tokens/:id',
    operationId: 'revokeApiToken',
    summary: 'Revoke an API token',
    tag: 'Account',
    access: 'user',
    sessionOnly: true,
    params: z.object({ id: z.string() }),
    response: Empty,
    async handler({ stores, email, params }) {
      if (!(await stores.apiTokens.revoke(email, params.id))) throw notFound('token');
      return {};
    },
  }),
];
