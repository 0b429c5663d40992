import type { PageRequest } from '@manifold/proto';

/** --sort field[:desc] and --filter field=v1,v2 options shared by the list commands. */
export interface ListOptions {
  sort?: string[];
  filter?: string[];
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function pageRequest(o: ListOptions): PageRequest {
  return {
    pageSize: 500,
    pageToken: '',
    sort: (o.sort ?? []).map((s) => {
      const [field = '', direction] = s.split(':');
      return { field, descending: direction === 'desc' };
    }),
    filters: (o.filter ?? []).map((f) => {
      const i = f.indexOf('=');
      return {
        field: f.slice(0, i),
        values: f
          .slice(i + 1)
          .split(',')
          .filter(Boolean),
      };
    }),
  };
}
