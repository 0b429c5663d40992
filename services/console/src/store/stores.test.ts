// The console's own data in a real MongoDB-wire database (FerretDB locally).
import { connectMongo, type MongoConnection } from '@manifold/mongo';
import { requireMongo, testInfrastructure, testLogger, uniqueName } from '@manifold/testing';
import { openStores } from '../server/stores';
import { ApiTokenStore } from './api-tokens';
import { openCollections } from './collections';
import { InvitationStore } from './invitations';
import { SessionStore } from './sessions';
import { SignInFailureStore } from './sign-in-failures';

describe('console stores', () => {
  const { mongoUrl } = testInfrastructure();
  let mongo: MongoConnection;

  beforeAll(async () => {
    await requireMongo(mongoUrl);
    mongo = await connectMongo({
      url: mongoUrl,
      database: uniqueName('consolestores').replace(/[^a-z0-9]/gi, ''),
      appName: 'console-stores-test',
      logger: testLogger('console-stores'),
    });
  });

  afterAll(async () => {
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  it('expires sessions by their timestamp (no TTL index) and deletes them on sign-out', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const sessions = new SessionStore(await openCollections(mongo.db), 60_000, () => now);
    const { id, session } = await sessions.create('a@b.test');
    expect(await sessions.find(id)).toEqual(session);
    expect(await sessions.find(`${id}x`)).toBeUndefined();
    now = new Date(now.getTime() + 61_000);
    expect(await sessions.find(id)).toBeUndefined();
    now = new Date('2026-01-01T00:00:00Z');
    const second = await sessions.create('a@b.test');
    await sessions.delete(second.id);
    expect(await sessions.find(second.id)).toBeUndefined();
    // Only the hash of the id is stored.
    expect(await mongo.db.collection('sessions').countDocuments({ idHash: second.id })).toBe(0);
  });

  it('authenticates API tokens by hash, lists them without the secret, and revokes them', async () => {
    const tokens = new ApiTokenStore(await openCollections(mongo.db));
    const { token, summary } = await tokens.create('a@b.test', 'ci');
    expect(token).toMatch(/^mfd_/);
    expect(await tokens.authenticate(token)).toBe('a@b.test');
    expect(await tokens.authenticate('mfd_wrong')).toBeUndefined();
    const listed = await tokens.list('a@b.test');
    expect(listed.map((t) => t.id)).toEqual([summary.id]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(await tokens.revoke('other@b.test', summary.id)).toBe(false);
    expect(await tokens.revoke('a@b.test', summary.id)).toBe(true);
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('lets exactly one first-run setup claim the console', async () => {
    const { accounts } = await openStores(mongo.db, { sessionTtlMs: 60_000 });
    const claims = await Promise.all([accounts.claimFirstRun('x@y.test'), accounts.claimFirstRun('z@y.test')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await accounts.create('X@Y.test', 'a long password');
    expect(await accounts.verify('x@y.test', 'a long password')).toBe('x@y.test');
    expect(await accounts.verify('x@y.test', 'wrong password')).toBeUndefined();
    expect(await accounts.verify('nobody@y.test', 'a long password')).toBeUndefined();
    expect(await accounts.claimFirstRun('again@y.test')).toBe(false);
  });

  it('claims an invitation once, not after it expires, and can give a claim back', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const invitations = new InvitationStore(await openCollections(mongo.db), 60_000, () => now);
    const input = { workspaceId: 'ws_1', email: 'New@B.test', role: 'member', invitedBy: 'owner@b.test' };
    const { token, invitation } = await invitations.create(input);
    expect(invitation).toMatchObject({ email: 'new@b.test', acceptedAt: null });
    expect((await invitations.lookup(token)).state).toBe('pending');
    expect((await invitations.lookup(`${token}x`)).state).toBe('unknown');
    const claims = await Promise.all([invitations.claim(token), invitations.claim(token)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await invitations.lookup(token)).state).toBe('accepted');
    await invitations.release(invitation.id);
    expect((await invitations.lookup(token)).state).toBe('pending');
    now = new Date(now.getTime() + 60_000);
    expect((await invitations.lookup(token)).state).toBe('expired');
    expect(await invitations.claim(token)).toBeUndefined();
    expect((await invitations.listUnused('ws_1')).map((i) => i.id)).toEqual([invitation.id]);
  });

  it('locks an email after the limit of wrong passwords, once, for the lock period, whether it has an account or not', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const failures = new SignInFailureStore(
      await openCollections(mongo.db),
      { maxFailures: 3, lockMs: 60_000 },
      () => now,
    );
    expect(await failures.recordFailure('Nobody@B.test')).toBeUndefined();
    // Failures older than the period do not count.
    now = new Date(now.getTime() + 61_000);
    expect(await failures.recordFailure('nobody@b.test')).toBeUndefined();
    expect(await failures.recordFailure('nobody@b.test')).toBeUndefined();
    expect(await failures.lockedUntil('nobody@b.test')).toBeUndefined();
    const racing = await Promise.all([
      failures.recordFailure('nobody@b.test'),
      failures.recordFailure('nobody@b.test'),
    ]);
    const locks = racing.filter(Boolean);
    expect(locks).toEqual([{ lockedUntil: new Date(now.getTime() + 60_000) }]);
    expect(await failures.lockedUntil('NOBODY@b.test')).toEqual(new Date(now.getTime() + 60_000));
    now = new Date(now.getTime() + 60_000);
    expect(await failures.lockedUntil('nobody@b.test')).toBeUndefined();
    await failures.recordFailure('nobody@b.test');
    await failures.clear('nobody@b.test');
    await failures.recordFailure('nobody@b.test');
    expect(await failures.recordFailure('nobody@b.test')).toBeUndefined();
  });
});
