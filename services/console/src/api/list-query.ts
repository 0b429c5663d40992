import { z } from 'zod';
import type { PageRequest } from '@manifold/proto';
import { HttpError } from '../server/http-error';

const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** The values a `status` filter takes (the control plane's enabled flag). */
const STATUSES = ['enabled', 'disabled'] as const;

/**
 * Query parameters of a sortable, filterable list: `search` (part of the name),
 * `sort=-created_at,name`, one parameter per value filter (`type=javascript&type=node`: any of
 * them), `<field>_from`/`<field>_to` for times (RFC 3339, any offset), and `page_size`/`page_token`
 * for pages.
 */
export function listQuery(valueFields: readonly string[], timeFields: readonly string[]) {
  const shape: Record<string, z.ZodType> = {
    page_size: z.coerce.number().int().min(1).max(500).optional().describe('Rows per page, 1..500 (default 50)'),
    page_token: z.string().optional().describe("The previous page's nextPageToken"),
    search: z.string().max(100).optional().describe('Only rows whose name contains this text, in any case'),
    sort: z
      .string()
      .optional()
      .describe(
        `Comma-separated fields, "-" before a field for descending. Fields: ${[...valueFields, ...timeFields].join(', ')}`,
      ),
  };
  for (const field of valueFields) {
    // A status other than these is refused on its own parameter, not on the control plane's filter index.
    shape[field] =
      field === 'status'
        ? z
            .union([z.enum(STATUSES), z.array(z.enum(STATUSES))])
            .optional()
            .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
            .describe('Only rows whose status is one of these: enabled, disabled')
        : many.describe(`Only rows whose ${field} is one of these values`);
  }
  for (const field of timeFields) {
    // RFC 3339 (what OpenAPI's date-time means): Z or an offset such as +02:00.
    shape[`${field}_from`] = z.iso
      .datetime({ offset: true })
      .optional()
      .describe(`Only rows with ${field} at or after this time`);
    shape[`${field}_to`] = z.iso
      .datetime({ offset: true })
      .optional()
      .describe(`Only rows with ${field} at or before this time`);
  }
  // Strict: an unknown filter or a misspelt parameter answers 400 naming it, instead of being
  // dropped and answering every row as if it matched.
  return z.strictObject(shape);
}

/** The control plane's PageRequest for a parsed list query. */
export function toPageRequest(
  query: Record<string, unknown>,
  valueFields: readonly string[],
  timeFields: readonly string[],
): PageRequest {
  const sortable = new Set([...valueFields, ...timeFields]);
  const sort =
    typeof query['sort'] === 'string' && query['sort'] !== '' ? query['sort'].split(',').map((s) => s.trim()) : [];
  // An empty part (`sort=name,`, `sort=-`) is refused in words, not as "cannot sort by " and nothing.
  if (sort.some((s) => s.replace(/^-/, '') === '')) {
    throw new HttpError(400, 'invalid_argument', 'sort has an empty field (a comma too many, or a "-" alone)', [
      { field: 'sort', message: `name a field between commas; sortable fields are ${[...sortable].join(', ')}` },
    ]);
  }
  const bad = sort.map((s) => s.replace(/^-/, '')).filter((f) => !sortable.has(f));
  if (bad.length > 0) {
    throw new HttpError(400, 'invalid_argument', `cannot sort by ${bad.join(', ')}`, [
      { field: 'sort', message: `sortable fields are ${[...sortable].join(', ')}` },
    ]);
  }
  const filters: PageRequest['filters'] = [];
  const search = typeof query['search'] === 'string' ? query['search'].trim() : '';
  if (search) filters.push({ field: 'search', values: [search], from: undefined, to: undefined });
  for (const field of valueFields) {
    const values = query[field] as string[];
    if (values.length > 0) filters.push({ field, values, from: undefined, to: undefined });
  }
  for (const field of timeFields) {
    const from = query[`${field}_from`] as string | undefined;
    const to = query[`${field}_to`] as string | undefined;
    if (from || to) {
      filters.push({ field, values: [], from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined });
    }
  }
  const order = sort.map((s) => ({ field: s.replace(/^-/, ''), descending: s.startsWith('-') }));
  // Rows that tie on the fields asked for (a status, a type) come in name order, not in the order
  // of their ids; the control plane still breaks ties of equal names by id, so pages stay stable.
  if (order.length > 0 && sortable.has('name') && !order.some((s) => s.field === 'name')) {
    order.push({ field: 'name', descending: false });
  }
  return {
    pageSize: typeof query['page_size'] === 'number' ? query['page_size'] : 0,
    pageToken: typeof query['page_token'] === 'string' ? query['page_token'] : '',
    sort: order,
    filters,
  };
}
