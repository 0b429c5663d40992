import { z } from 'zod';
import { ErrorBody, modelRegistry } from './models';
import type { RouteDefinition } from './route';

type JsonObject = Record<string, unknown>;

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid input; `error.fields` names each bad field',
  '401': 'No valid session or API token',
  '403': 'The caller may read but not change this workspace',
  '404': 'Not found, or not in a workspace the caller belongs to',
  '409': 'Already exists, or changed by someone else since the caller read it (read again, then retry)',
};

// Any route can meet its database down: 503 with Retry-After (sendError gives it).
const UNAVAILABLE = "The console's database is unavailable; try again after Retry-After seconds";

const retryAfterHeader: JsonObject = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
};

const errorResponse = (description: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: schemaRef(ErrorBody, 'Error') } },
});

const toOpenApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/** Named schema for a route's body or response: its model id, or one registered for the route. */
function schemaRef(schema: z.ZodType, fallbackId: string): JsonObject {
  if (!modelRegistry.has(schema)) modelRegistry.add(schema, { id: fallbackId });
  return { $ref: `#/components/schemas/${modelRegistry.get(schema)!.id}` };
}

function fieldSchema(schema: z.ZodType): JsonObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  delete json['$schema'];
  return json;
}

function parameters(route: RouteDefinition): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [name, schema] of Object.entries(route.params?.shape ?? {})) {
    list.push({ name, in: 'path', required: true, schema: fieldSchema(schema as z.ZodType) });
  }
  for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
    const json = fieldSchema(schema as z.ZodType);
    const description = (schema as z.ZodType).description;
    list.push({
      name,
      in: 'query',
      required: false,
      ...(description ? { description } : {}),
      schema: json,
      // Repeated parameters (`type=a&type=b`) for value filters.
      ...(Array.isArray(json['anyOf']) ? { style: 'form', explode: true } : {}),
    });
  }
  return list;
}

/** The OpenAPI 3.1 document of the Public API, generated from the same definitions Express serves. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], serverUrl = '/'): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const capitalized = route.operationId[0]!.toUpperCase() + route.operationId.slice(1);
    const status = String(route.status ?? 200);
    const operation: JsonObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route),
      responses: {
        [status]: {
          description: 'Success',
          content: { 'application/json': { schema: schemaRef(route.response, `${capitalized}Response`) } },
        },
        ...Object.fromEntries(
          Object.entries(ERROR_RESPONSES).map(([code, description]) => [code, errorResponse(description)]),
        ),
        ...(route.rateLimited ? { '429': errorResponse(route.rateLimited, retryAfterHeader) } : {}),
        '503': errorResponse(UNAVAILABLE, retryAfterHeader),
      },
      ...(route.access === 'user'
        ? {}
        : { 'x-required-role': { read: 'read-only', write: 'member', owner: 'owner' }[route.access] }),
    };
    if (route.body) {
      operation['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: schemaRef(route.body, `${capitalized}Request`) } },
      };
    }
    const path = `/api/v1${toOpenApiPath(route.path)}`;
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  paths['/api/v1/workspaces/{workspace}/sources/{source}/debugger'] = {
    get: {
      operationId: 'streamDebugger',
      summary: "Live debugger: the source's events as ingestion accepts or rejects them (Server-Sent Events)",
      tags: ['Sources'],
      parameters: [
        { name: 'workspace', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'source', in: 'path', required: true, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'An event stream; each event is named accepted, rejected or failed and carries JSON data',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        '404': { description: 'Not found, or not in a workspace the caller belongs to' },
      },
      'x-required-role': 'read-only',
    },
  };
  const components = z.toJSONSchema(modelRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonObject> };
  for (const schema of Object.values(components.schemas)) {
    delete schema['$schema'];
    delete schema['id'];
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Manifold Public API',
      version: '1.0.0',
      description:
        'Manage workspaces, sources, destinations, warehouses and the catalog. Authenticate with ' +
        '`Authorization: Bearer <API token>` (make tokens in the console under Settings). Every call is ' +
        'authorized against the workspace in its path: read-only members may read, members may also change, owners may also manage members.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (mfd_...)' } },
    },
  };
}
