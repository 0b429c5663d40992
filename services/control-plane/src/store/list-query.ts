import type { Collection, Document, Filter, Sort, WithId } from 'mongodb';
import type { PageInfo, PageRequest } from '@manifold/proto';
import { Violations } from '../domain/errors';

/** How one listable property maps onto stored fields. */
export interface ListField {
  /** Stored field compared when filtering. */
  path: string;
  /** Stored field used when sorting (defaults to path), e.g. a count for a list column. */
  sortPath?: string;
  /** contains: the (lowercased) stored value contains any of the values, whatever their case. */
  kind: 'string' | 'boolean-status' | 'date' | 'array' | 'contains';
}

export type ListFields = Record<string, ListField>;

export interface ListQuery<T> {
  filter: Filter<T>;
  sort: Sort;
  skip: number;
  limit: number;
}

const MAX_PAGE = 500;
const DEFAULT_PAGE = 50;

/**
 * Turns a PageRequest into a MongoDB query. Paging is by offset inside the token: it supports
 * any sort order, and lists here are workspace-sized, not millions of rows.
 */
export function buildListQuery<T>(
  request: PageRequest | undefined,
  fields: ListFields,
  scope: Filter<T>,
  defaultSort: Sort,
): ListQuery<T> {
  const v = new Violations();
  const pageSize = request?.pageSize ?? 0;
  if (pageSize < 0 || pageSize > MAX_PAGE) v.add('page.page_size', `must be between 0 and ${MAX_PAGE}`);
  const skip = decodeToken(request?.pageToken ?? '', v);
  const clauses: Array<Record<string, unknown>> = [];
  for (const [i, f] of (request?.filters ?? []).entries()) {
    const field = fields[f.field];
    if (!field) {
      v.add(
        `page.filters[${i}].field`,
        `cannot filter by ${JSON.stringify(f.field)}; use one of ${Object.keys(fields).join(', ')}`,
      );
      continue;
    }
    const clause = filterClause(field, f.values, f.from, f.to, `page.filters[${i}]`, v);
    if (clause) clauses.push(clause);
  }
  const sort: Record<string, 1 | -1> = {};
  for (const [i, s] of (request?.sort ?? []).entries()) {
    const field = fields[s.field];
    if (!field) {
      v.add(
        `page.sort[${i}].field`,
        `cannot sort by ${JSON.stringify(s.field)}; use one of ${Object.keys(fields).join(', ')}`,
      );
      continue;
    }
    sort[field.sortPath ?? field.path] = s.descending ? -1 : 1;
  }
  v.throwIfAny();
  // A unique tie-breaker keeps pages stable when sort values repeat.
  const finalSort = Object.keys(sort).length > 0 ? { ...sort, _id: 1 as const } : defaultSort;
  const filter = (clauses.length > 0 ? { $and: [scope, ...clauses] } : scope) as Filter<T>;
  return { filter, sort: finalSort, skip, limit: pageSize === 0 ? DEFAULT_PAGE : pageSize };
}

function filterClause(
  field: ListField,
  values: string[],
  from: Date | undefined,
  to: Date | undefined,
  name: string,
  v: Violations,
): Record<string, unknown> | undefined {
  if (field.kind === 'date') {
    const range: Record<string, Date> = {};
    if (from) range['$gte'] = from;
    if (to) range['$lte'] = to;
    // A plain value is a day (YYYY-MM-DD): the row matches when its time falls on one of them.
    const days: Array<Record<string, unknown>> = [];
    for (const value of values) {
      const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00.000Z`) : undefined;
      if (!day || Number.isNaN(day.getTime())) {
        v.add(`${name}.values`, `${JSON.stringify(value)} is not a date (YYYY-MM-DD)`);
        continue;
      }
      days.push({ [field.path]: { $gte: day, $lt: new Date(day.getTime() + 86_400_000) } });
    }
    const parts: Array<Record<string, unknown>> = [];
    if (Object.keys(range).length > 0) parts.push({ [field.path]: range });
    if (days.length > 0) parts.push({ $or: days });
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : { $and: parts };
  }
  if (values.length === 0) return undefined;
  if (field.kind === 'boolean-status') {
    const bools: boolean[] = [];
    for (const value of values) {
      if (value === 'enabled') bools.push(true);
      else if (value === 'disabled') bools.push(false);
      else v.add(`${name}.values`, `${JSON.stringify(value)} is not a status (enabled or disabled)`);
    }
    return { [field.path]: { $in: bools } };
  }
  if (field.kind === 'contains') {
    const parts = values.map((value) => value.trim().toLowerCase()).filter((value) => value !== '');
    if (parts.length === 0) return undefined;
    return { $or: parts.map((part) => ({ [field.path]: { $regex: escapeRegex(part) } })) };
  }
  return { [field.path]: { $in: values } };
}

/** The text as a regular expression matching only itself. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeToken(token: string, v: Violations): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0)
      return parsed.offset;
  } catch {
    // reported below
  }
  v.add('page.page_token', 'is not a token returned by a previous list call');
  return 0;
}

export function pageInfo(skip: number, returned: number, total: number): PageInfo {
  const next = skip + returned;
  return {
    nextPageToken: next < total ? Buffer.from(JSON.stringify({ offset: next })).toString('base64url') : '',
    totalCount: total,
  };
}

/** Runs a list call: one page of rows and the total count, with the page token for the next. */
export async function listPage<T extends Document>(
  collection: Collection<T>,
  request: PageRequest | undefined,
  fields: ListFields,
  scope: Filter<T>,
  defaultSort: Sort,
): Promise<{ docs: Array<WithId<T>>; page: PageInfo }> {
  const q = buildListQuery<T>(request, fields, scope, defaultSort);
  const [docs, total] = await Promise.all([
    collection.find(q.filter, { sort: q.sort, skip: q.skip, limit: q.limit }).toArray(),
    collection.countDocuments(q.filter),
  ]);
  return { docs, page: pageInfo(q.skip, docs.length, total) };
}
