import { SignInThrottle } from './sign-in-throttle';

describe('sign-in throttle', () => {
  it('refuses an email and address after five failures until the window ends; success resets it', () => {
    let now = 0;
    const throttle = new SignInThrottle(
      { maxFailuresPerAddress: 5, addressWindowMs: 60_000, maxFailuresGlobal: 1000, globalWindowMs: 60_000 },
      () => now,
    );
    for (let i = 0; i < 4; i++) throttle.recordFailure('A@x.test', '1.2.3.4');
    expect(throttle.wait('a@x.test', '1.2.3.4')).toBeUndefined();
    throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.wait('a@x.test', '1.2.3.4')).toEqual({ scope: 'address', seconds: 60 });
    // Other pairs are not affected.
    expect(throttle.wait('a@x.test', '5.6.7.8')).toBeUndefined();
    expect(throttle.wait('b@x.test', '1.2.3.4')).toBeUndefined();
    now = 30_000;
    expect(throttle.wait('a@x.test', '1.2.3.4')).toEqual({ scope: 'address', seconds: 30 });
    now = 60_000;
    expect(throttle.wait('a@x.test', '1.2.3.4')).toBeUndefined();
    throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.wait('a@x.test', '1.2.3.4')).toBeUndefined();
    throttle.recordSuccess('a@x.test', '1.2.3.4');
    for (let i = 0; i < 4; i++) throttle.recordFailure('a@x.test', '1.2.3.4');
    expect(throttle.wait('a@x.test', '1.2.3.4')).toBeUndefined();
  });

  it('refuses everyone after too many failures across the console, until its window ends', () => {
    let now = 0;
    const throttle = new SignInThrottle(
      { maxFailuresPerAddress: 5, addressWindowMs: 60_000, maxFailuresGlobal: 10, globalWindowMs: 20_000 },
      () => now,
    );
    for (let i = 0; i < 9; i++) throttle.recordFailure(`user${i}@x.test`, `10.0.0.${i}`);
    expect(throttle.wait('new@x.test', '10.9.9.9')).toBeUndefined();
    now = 5_000;
    throttle.recordFailure('user9@x.test', '10.0.0.9');
    expect(throttle.wait('new@x.test', '10.9.9.9')).toEqual({ scope: 'global', seconds: 15 });
    // A success of someone else does not lift it.
    throttle.recordSuccess('user1@x.test', '10.0.0.1');
    expect(throttle.wait('user1@x.test', '10.0.0.1')).toEqual({ scope: 'global', seconds: 15 });
    now = 20_000;
    expect(throttle.wait('new@x.test', '10.9.9.9')).toBeUndefined();
    throttle.recordFailure('user0@x.test', '10.0.0.0');
    expect(throttle.wait('new@x.test', '10.9.9.9')).toBeUndefined();
  });
});
