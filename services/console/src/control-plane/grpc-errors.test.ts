import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { HttpError } from '../server/http-error';
import { toHttpError } from './grpc-errors';

function grpcError(code: status, details: string, violations?: unknown): ServiceError {
  const metadata = new Metadata();
  if (violations !== undefined) metadata.set('x-field-violations', JSON.stringify(violations));
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('control-plane errors as HTTP', () => {
  it('maps INVALID_ARGUMENT with field violations onto 400 with fields', () => {
    const error = toHttpError(
      grpcError(status.INVALID_ARGUMENT, 'settings are invalid', [
        { field: 'settings.apiKey', message: 'is required' },
        { nonsense: true },
      ]),
    ) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.toJSON()).toEqual({
      error: {
        code: 'invalid_argument',
        message: 'settings are invalid',
        fields: [{ field: 'settings.apiKey', message: 'is required' }],
      },
    });
  });

  it('maps the other codes, and never blames the user for the console token', () => {
    expect((toHttpError(grpcError(status.NOT_FOUND, 'no source')) as HttpError).status).toBe(404);
    expect((toHttpError(grpcError(status.ALREADY_EXISTS, 'slug taken')) as HttpError).status).toBe(409);
    expect((toHttpError(grpcError(status.UNAVAILABLE, 'down')) as HttpError).status).toBe(503);
    const auth = toHttpError(grpcError(status.UNAUTHENTICATED, 'bad token')) as HttpError;
    expect(auth.status).toBe(502);
    expect(auth.message).toMatch(/CONTROL_PLANE_TOKEN/);
    const other = new Error('plain');
    expect(toHttpError(other)).toBe(other);
  });

  it('ignores a malformed violations trailer', () => {
    const metadata = new Metadata();
    metadata.set('x-field-violations', 'not json');
    const error = Object.assign(new Error('x'), { code: status.INVALID_ARGUMENT, details: 'bad', metadata });
    expect((toHttpError(error) as HttpError).fields).toEqual([]);
  });
});
