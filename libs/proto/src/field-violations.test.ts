import { Metadata } from '@grpc/grpc-js';
import { FIELD_VIOLATIONS_TRAILER, fieldViolations, fieldViolationsMetadata } from './field-violations';

describe('field violations trailer', () => {
  it('reads back what the control plane writes', () => {
    const violations = [{ field: 'settings.apiKey', message: 'is required' }];
    const error = Object.assign(new Error('3 INVALID_ARGUMENT'), { metadata: fieldViolationsMetadata(violations) });
    expect(fieldViolations(error)).toEqual(violations);
  });

  it('writes no trailer for no violations', () => {
    expect(fieldViolationsMetadata([]).get(FIELD_VIOLATIONS_TRAILER)).toEqual([]);
  });

  it('is empty for other errors and malformed trailers, and skips entries of another shape', () => {
    expect(fieldViolations(new Error('plain'))).toEqual([]);
    expect(fieldViolations(undefined)).toEqual([]);
    const metadata = new Metadata();
    metadata.set(FIELD_VIOLATIONS_TRAILER, 'not json');
    expect(fieldViolations({ metadata })).toEqual([]);
    metadata.set(FIELD_VIOLATIONS_TRAILER, JSON.stringify([{ field: 'slug', message: 'taken' }, { nonsense: true }]));
    expect(fieldViolations({ metadata })).toEqual([{ field: 'slug', message: 'taken' }]);
  });
});
