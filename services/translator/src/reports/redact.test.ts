import { redactRequest, redactUrl } from './redact';

describe('redaction of dead-lettered requests', () => {
  it('masks credentials in headers and query parameters, and keeps the rest', () => {
    const redacted = redactRequest({
      method: 'POST',
      url: 'https://www.google-analytics.com/mp/collect?measurement_id=G-1&api_secret=abc',
      headers: {
        authorization: 'Basic c2VjcmV0Og==',
        'x-signature': 'ff00',
        'content-type': 'application/json',
        'x-api-key': 'k',
      },
      body: 'x'.repeat(3000),
    });
    expect(redacted.url).toBe(
      'https://www.google-analytics.com/mp/collect?measurement_id=G-1&api_secret=%5Bredacted%5D',
    );
    expect(redacted.headers).toEqual({
      authorization: '[redacted]',
      'x-signature': '[redacted]',
      'content-type': 'application/json',
      'x-api-key': '[redacted]',
    });
    expect(redacted.bodyExcerpt).toHaveLength(2001);
    expect(redactUrl('https://user:pw@example.com/a?token=t&x=1')).toBe(
      'https://%5Bredacted%5D:%5Bredacted%5D@example.com/a?token=%5Bredacted%5D&x=1',
    );
  });
});
