import { HttpError } from '../server/http-error';
import { listQuery, toPageRequest } from './list-query';

const VALUES = ['status', 'type'];
const TIMES = ['created_at'];

describe('list query', () => {
  it('turns sort, repeated value filters and time ranges into a control-plane PageRequest', () => {
    const query = listQuery(VALUES, TIMES).parse({
      sort: '-created_at,type',
      type: ['node', 'ios'],
      status: 'enabled',
      created_at_from: '2026-01-01T00:00:00.000Z',
      page_size: '20',
      search: ' Web ',
    });
    expect(toPageRequest(query, VALUES, TIMES)).toEqual({
      pageSize: 20,
      pageToken: '',
      sort: [
        { field: 'created_at', descending: true },
        { field: 'type', descending: false },
      ],
      filters: [
        { field: 'search', values: ['Web'], from: undefined, to: undefined },
        { field: 'status', values: ['enabled'], from: undefined, to: undefined },
        { field: 'type', values: ['node', 'ios'], from: undefined, to: undefined },
        { field: 'created_at', values: [], from: new Date('2026-01-01T00:00:00.000Z'), to: undefined },
      ],
    });
  });

  it('refuses an unknown sort field, naming the sortable ones', () => {
    const query = listQuery(VALUES, TIMES).parse({ sort: 'secret' });
    expect(() => toPageRequest(query, VALUES, TIMES)).toThrow(HttpError);
    expect(() => toPageRequest(query, VALUES, TIMES)).toThrow(/cannot sort by secret/);
  });

  it('rejects a page size out of range and a malformed time', () => {
    expect(listQuery(VALUES, TIMES).safeParse({ page_size: '900' }).success).toBe(false);
    expect(listQuery(VALUES, TIMES).safeParse({ created_at_to: 'yesterday' }).success).toBe(false);
  });
});
