import { databaseFromUrl } from './index';

describe('databaseFromUrl', () => {
  it('reads the database from single-host and replica-set connection strings', () => {
    expect(databaseFromUrl('mongodb://127.0.0.1:27017/manifold')).toBe('manifold');
    expect(databaseFromUrl('mongodb://a:27017,b:27017/cfg?replicaSet=rs0')).toBe('cfg');
    expect(databaseFromUrl('mongodb://user:pw@a:27017,b:27017/?replicaSet=rs0')).toBe('');
    expect(databaseFromUrl('mongodb://127.0.0.1:27017')).toBe('');
  });
});
