import { SignInThrottle } from './sign-in-throttle';

describe('sign-in throttle', () => {
  it('refuses an email and address after five failures until the window ends; success resets it', () => {
    let now = 0;
    const throttle = new SignInThrottle(5, 60_000, () => now);
    for (let i = 0; i < 4; i++) throttle.recordFailure('A@x.test', '1.2.3.4');
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(0);
    throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(60);
    // Other pairs are not affected.
    expect(throttle.retryAfterSeconds('a@x.test', '5.6.7.8')).toBe(0);
    expect(throttle.retryAfterSeconds('b@x.test', '1.2.3.4')).toBe(0);
    now = 30_000;
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(30);
    now = 60_000;
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(0);
    throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(0);
    throttle.recordSuccess('a@x.test', '1.2.3.4');
    for (let i = 0; i < 4; i++) throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.retryAfterSeconds('a@x.test', '1.2.3.4')).toBe(0);
  });
});
