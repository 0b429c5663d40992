import { snakeCase } from './snake-case';

describe('snakeCase (go-snakecase)', () => {
  it.each([
    ['sampleText', 'sample_text'],
    ['sample___text', 'sample_text'],
    ['   $#$sample   2    Text   ', 'sample_2_text'],
    ['SAMPLE 2 TEXT', 'sample_2_text'],
    ['___$$Base64Encode', 'base64_encode'],
    ['FOO:BAR$BAZ', 'foo_bar_baz'],
    ['something.com', 'something_com'],
    ['$something%', 'something'],
    ['inviteYourCustomersAddInvites', 'invite_your_customers_add_invites'],
    ['userID', 'user_id'],
    ['HTMLParser', 'htmlparser'],
    ['Order Completed', 'order_completed'],
    ['already_snake_2', 'already_snake_2'],
    ['héllo wörld', 'h_llo_w_rld'],
    ['日本語', ''],
  ])('%j → %j', (input, expected) => {
    expect(snakeCase(input)).toBe(expected);
  });
});
