import { HttpError } from '../server/http-error';
import { listQuery, toPageRequest } from './list-query';

const VALUES = ['status', 'type'];
const WITH_NAME = ['status', 'type', 'name'];
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

  it('takes a time with an offset, as RFC 3339 (the documented date-time) allows', () => {
    const query = listQuery(VALUES, TIMES).parse({
      created_at_from: '2026-01-01T00:00:00+02:00',
      created_at_to: '2026-01-01T23:59:59.999-05:30',
    });
    expect(toPageRequest(query, VALUES, TIMES).filters).toEqual([
      {
        field: 'created_at',
        values: [],
        from: new Date('2025-12-31T22:00:00.000Z'),
        to: new Date('2026-01-02T05:29:59.999Z'),
      },
    ]);
  });

  it('refuses an empty part of a sort in words, not as "cannot sort by " and nothing', () => {
    for (const sort of ['type,', ',', '-', 'type,,name']) {
      const query = listQuery(WITH_NAME, TIMES).parse({ sort });
      expect(() => toPageRequest(query, WITH_NAME, TIMES)).toThrow(/sort has an empty field/);
    }
  });

  it('breaks ties of the asked sort by name, so rows of one status come in name order', () => {
    const request = (sort: string) => toPageRequest(listQuery(WITH_NAME, TIMES).parse({ sort }), WITH_NAME, TIMES).sort;
    expect(request('-status')).toEqual([
      { field: 'status', descending: true },
      { field: 'name', descending: false },
    ]);
    // Asked for already, name stays where it was asked.
    expect(request('-name,status')).toEqual([
      { field: 'name', descending: true },
      { field: 'status', descending: false },
    ]);
  });

  it('refuses a status other than enabled or disabled on the status parameter itself', () => {
    const parsed = listQuery(VALUES, TIMES).safeParse({ status: ['enabled', 'on'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path[0]).toBe('status');
    expect(listQuery(VALUES, TIMES).parse({ status: 'disabled' })['status']).toEqual(['disabled']);
  });
});
