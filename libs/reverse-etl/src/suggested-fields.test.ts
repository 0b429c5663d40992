import { suggestedFields } from './suggested-fields';

describe('suggestedFields', () => {
  it('maps each field from the column of the same normalized name, and leaves the others unmapped', () => {
    expect(
      suggestedFields(['email', 'phoneNumber', 'userId', 'traits'], ['id', 'EMAIL', 'phone_number', 'plan']),
    ).toEqual({
      email: { '@path': '$.properties.EMAIL' },
      phoneNumber: { '@path': '$.properties.phone_number' },
    });
  });

  it('suggests nothing from a column a plain path cannot read, or with no columns', () => {
    expect(suggestedFields(['firstName'], ['first name'])).toEqual({});
    expect(suggestedFields(['email'], [])).toEqual({});
  });
});
