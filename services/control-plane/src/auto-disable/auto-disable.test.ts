import { startSmtpReceiver, testLogger, type SmtpReceiver } from '@manifold/testing';
import { createMailer } from '@manifold/mail';
import { AutoDisableJob } from './auto-disable-job';
import { startTestControlPlane, type Harness } from '../test-support/harness';

const DAY = 86_400_000;

describe('auto-disable of sources without an enabled destination', () => {
  let clock = new Date('2026-03-01T12:00:00.000Z');
  let h: Harness;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    h = await startTestControlPlane({
      now: () => clock,
      smtp: { url: smtp.url, from: 'Manifold <noreply@manifold.test>' },
    });
  });

  afterAll(async () => {
    await h?.stop();
    await smtp?.stop();
  });

  const advanceTo = (days: number, start: Date) => (clock = new Date(start.getTime() + days * DAY));

  /** A new workspace of its own with one server source and no destination: what the sweep is after. */
  async function serverSourceIn(workspace: string, ownerEmail: string, slug: string) {
    await h.client.workspaces.createWorkspace({ slug: workspace, name: workspace.toUpperCase(), ownerEmail });
    return h.client.sources.createSource({
      workspace,
      slug,
      name: slug.charAt(0).toUpperCase() + slug.slice(1),
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
  }

  it('warns the owner 3 days ahead, disables after 14 days, honours exceptions, and never acts twice', async () => {
    const t0 = clock;
    const lonely = await serverSourceIn('ad', 'owner@ad.test', 'lonely');
    const kept = await h.client.sources.createSource({
      workspace: 'ad',
      slug: 'kept',
      name: 'Kept',
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
    const fed = await h.client.sources.createSource({
      workspace: 'ad',
      slug: 'fed',
      name: 'Fed',
      environment: 'prod',
      type: 'node',
      category: 'server',
    });
    await h.client.workspaces.setAutoDisableException({ workspace: 'ad', source: 'kept', exempt: true });
    await h.client.destinations.createDestination({
      workspace: 'ad',
      name: 'A',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: ['fed'],
    });
    expect((await h.client.sources.getSource({ workspace: 'ad', source: 'kept' })).autoDisableExempt).toBe(true);
    // Reads give the date the job will act on: 14 days on, none for the exception or the fed source.
    const dueAt = async (source: string) =>
      (await h.client.sources.getSource({ workspace: 'ad', source })).autoDisableDueAt;
    expect(await dueAt('lonely')).toEqual(new Date(t0.getTime() + 14 * DAY));
    expect(await dueAt('kept')).toBeUndefined();
    expect(await dueAt('fed')).toBeUndefined();

    // Two replicas' jobs over the same database, with the same clock and a real mailer each.
    const store = h.controlPlane.domain.store;
    const mailer = createMailer({ url: smtp.url, from: 'Manifold <noreply@manifold.test>' }, testLogger('mail'));
    const onChange = async () => {
      await store.bumpConfigVersion();
      await h.controlPlane.domain.broadcaster.refresh();
    };
    const replicaA = new AutoDisableJob(store, mailer, testLogger('ad-a'), () => clock, onChange);
    const replicaB = new AutoDisableJob(store, mailer, testLogger('ad-b'), () => clock, onChange);

    advanceTo(10.9, t0);
    expect(await replicaA.runOnce()).toEqual({ warned: [], disabled: [] });
    expect(smtp.mails).toHaveLength(0);

    advanceTo(11, t0);
    const [first, second] = await Promise.all([replicaA.runOnce(), replicaB.runOnce()]);
    expect([...first.warned, ...second.warned]).toEqual([lonely.id]);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual(['owner@ad.test']);
    expect(mail?.subject).toBe('Manifold: source "Lonely" will be disabled on 2026-03-15');
    expect(mail?.text).toContain('(/ad/sources/lonely) has had no enabled destination since 2026-03-01T12:00:00.000Z');
    expect(mail?.text).toContain('The source "Lonely" of the workspace "AD"');
    expect(mail?.text).toContain('(manifold workspaces exempt ad lonely)');
    const warnedSource = await h.client.sources.getSource({ workspace: 'ad', source: 'lonely' });
    expect(warnedSource.autoDisableWarnedAt).toEqual(clock);
    expect(warnedSource.autoDisableDueAt).toEqual(new Date('2026-03-15T12:00:00.000Z'));
    expect(warnedSource.statusHistory.at(-1)).toMatchObject({ status: 'warned', changedBy: 'manifold (auto-disable)' });

    advanceTo(13.9, t0);
    expect(await replicaA.runOnce()).toEqual({ warned: [], disabled: [] });
    expect((await h.client.sources.getSource({ workspace: 'ad', source: 'lonely' })).enabled).toBe(true);

    advanceTo(14, t0);
    const [d1, d2] = await Promise.all([replicaA.runOnce(), replicaB.runOnce()]);
    expect([...d1.disabled, ...d2.disabled]).toEqual([lonely.id]);
    const disabled = await h.client.sources.getSource({ workspace: 'ad', source: 'lonely' });
    expect(disabled.enabled).toBe(false);
    expect(disabled.status).toMatchObject({ status: 'disabled', changedBy: 'manifold (auto-disable)' });
    expect(disabled.status?.reason).toMatch(
      /^auto-disabled: no enabled destination since 2026-03-01T12:00:00.000Z \(14 days\)$/,
    );
    expect(disabled.statusHistory.map((s) => s.status)).toEqual(['enabled', 'warned', 'disabled']);
    // The data plane learns of it through the config stream.
    expect(h.controlPlane.domain.broadcaster.current().sources.find((s) => s.id === lonely.id)?.enabled).toBe(false);

    // The exempt source and the fed one were never touched, even much later.
    advanceTo(40, t0);
    await replicaA.runOnce();
    for (const id of [kept.id, fed.id]) {
      const s = await h.client.sources.getSource({ workspace: 'ad', source: id });
      expect(s).toMatchObject({ enabled: true });
      expect(s.autoDisableWarnedAt).toBeUndefined();
    }
    expect(smtp.mails).toHaveLength(1);
  });

  it('restarts the clock when an enabled destination is connected, and warns late sources before disabling', async () => {
    const t0 = clock;
    await h.client.workspaces.createWorkspace({ slug: 'ad2', name: 'AD2', ownerEmail: 'owner2@ad.test' });
    const src = await h.client.sources.createSource({
      workspace: 'ad2',
      slug: 'site',
      name: 'Site',
      environment: 'prod',
      type: 'javascript',
      category: 'website',
    });
    const job = h.controlPlane.autoDisable;

    advanceTo(12, t0);
    expect((await job.runOnce()).warned).toEqual([src.id]);
    // Connecting an enabled destination on day 12 clears the warning and stops the clock.
    await h.client.destinations.createDestination({
      workspace: 'ad2',
      name: 'Dest',
      catalogId: 'test-analytics',
      settings: { apiKey: '12345678' },
      sources: ['site'],
    });
    let s = await h.client.sources.getSource({ workspace: 'ad2', source: 'site' });
    expect(s.withoutDestinationSince).toBeUndefined();
    expect(s.autoDisableWarnedAt).toBeUndefined();

    // Disabling that destination on day 20 starts a new 14 days from then.
    advanceTo(20, t0);
    await h.client.destinations.updateDestination({ workspace: 'ad2', destination: 'Dest', enabled: false });
    s = await h.client.sources.getSource({ workspace: 'ad2', source: 'site' });
    expect(s.withoutDestinationSince).toEqual(clock);
    advanceTo(30, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [] });

    // If the job only runs past the deadline, the owner still gets 3 days' notice first.
    advanceTo(40, t0);
    expect(await job.runOnce()).toEqual({ warned: [src.id], disabled: [] });
    const mail = smtp.mails.at(-1);
    expect(mail?.to).toEqual(['owner2@ad.test']);
    // Warned late, the source is disabled 3 days after the warning, and reads say so.
    s = await h.client.sources.getSource({ workspace: 'ad2', source: 'site' });
    expect(s.autoDisableDueAt).toEqual(new Date(t0.getTime() + 43 * DAY));
    advanceTo(42.9, t0);
    expect((await job.runOnce()).disabled).toEqual([]);
    advanceTo(43, t0);
    expect((await job.runOnce()).disabled).toEqual([src.id]);
  });

  it('does not record a warning whose mail could not be sent, and retries it', async () => {
    const t0 = clock;
    const src = await serverSourceIn('ad3', 'owner3@ad.test', 'srv');
    const broken = new AutoDisableJob(
      h.controlPlane.domain.store,
      { delivers: true, send: () => Promise.reject(new Error('SMTP down')), close: () => undefined },
      testLogger('ad-broken'),
      () => clock,
      async () => undefined,
    );
    advanceTo(11, t0);
    expect(await broken.runOnce()).toEqual({ warned: [], disabled: [] });
    let s = await h.client.sources.getSource({ workspace: 'ad3', source: 'srv' });
    expect(s.autoDisableWarnedAt).toBeUndefined();
    expect(s.statusHistory.map((x) => x.status)).toEqual(['enabled']);
    advanceTo(15, t0);
    expect((await broken.runOnce()).disabled).toEqual([]);
    expect((await h.controlPlane.autoDisable.runOnce()).warned).toEqual([src.id]);
    s = await h.client.sources.getSource({ workspace: 'ad3', source: 'srv' });
    expect(s.enabled).toBe(true);
  });

  it('restarts the clock when an auto-disabled source is enabled again, and warns before disabling it again', async () => {
    const t0 = clock;
    const src = await serverSourceIn('ad7', 'owner7@ad.test', 'app');
    const job = h.controlPlane.autoDisable;
    const mailsTo = () => smtp.mails.filter((m) => m.to.includes('owner7@ad.test')).length;
    advanceTo(11, t0);
    expect((await job.runOnce()).warned).toEqual([src.id]);
    advanceTo(14, t0);
    expect((await job.runOnce()).disabled).toEqual([src.id]);
    expect(mailsTo()).toBe(1);

    // The user turns it on again on day 20, still without a destination: a new 14 days from then,
    // never a date already past.
    advanceTo(20, t0);
    let s = await h.client.sources.updateSource({ workspace: 'ad7', source: 'app', enabled: true });
    expect(s.enabled).toBe(true);
    expect(s.withoutDestinationSince).toEqual(clock);
    expect(s.autoDisableWarnedAt).toBeUndefined();
    expect(s.autoDisableDueAt).toEqual(new Date(t0.getTime() + 34 * DAY));
    advanceTo(30.9, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [] });
    // Warned again (a second mail) 3 days ahead, then disabled again.
    advanceTo(31, t0);
    expect(await job.runOnce()).toEqual({ warned: [src.id], disabled: [] });
    expect(mailsTo()).toBe(2);
    advanceTo(34, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [src.id] });
    s = await h.client.sources.getSource({ workspace: 'ad7', source: 'app' });
    expect(s.statusHistory.map((x) => x.status)).toEqual([
      'enabled',
      'warned',
      'disabled',
      'enabled',
      'warned',
      'disabled',
    ]);
  });

  it('gives a source enabled again before enabling restarted the clock new 14 days, not a disable at once', async () => {
    const t0 = clock;
    const src = await serverSourceIn('ad9', 'owner9@ad.test', 'app');
    const job = h.controlPlane.autoDisable;
    advanceTo(11, t0);
    await job.runOnce();
    advanceTo(14, t0);
    expect((await job.runOnce()).disabled).toEqual([src.id]);
    // Turned on again on day 20 as earlier versions left it: the old clock and warning kept.
    advanceTo(20, t0);
    const store = h.controlPlane.domain.store;
    const enabled = { status: 'enabled', changedBy: 'someone@ad.test', changedAt: clock, reason: 'enabled by a user' };
    await store.sources.updateOne(
      { _id: src.id },
      { $set: { enabled: true, status: enabled }, $push: { statusHistory: enabled } },
    );
    advanceTo(21, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [] });
    const s = await h.client.sources.getSource({ workspace: 'ad9', source: 'app' });
    expect(s).toMatchObject({ enabled: true, autoDisableWarnedAt: undefined });
    expect(s.autoDisableDueAt).toEqual(new Date(t0.getTime() + 34 * DAY));
    advanceTo(31, t0);
    expect(await job.runOnce()).toEqual({ warned: [src.id], disabled: [] });
  });

  it('never disables a source whose warning a replica claimed but did not mail (it died mid-send)', async () => {
    const t0 = clock;
    const src = await serverSourceIn('ad8', 'owner8@ad.test', 'srv');
    // A replica whose mail never leaves: its SMTP hangs, then the process is killed.
    let sending!: () => void;
    const inSend = new Promise<void>((resolve) => (sending = resolve));
    const dying = new AutoDisableJob(
      h.controlPlane.domain.store,
      {
        delivers: true,
        send: () => {
          sending();
          return new Promise<void>(() => undefined);
        },
        close: () => undefined,
      },
      testLogger('ad-dying'),
      () => clock,
      async () => undefined,
    );
    advanceTo(11, t0);
    void dying.runOnce();
    await inSend;
    const mailsTo = () => smtp.mails.filter((m) => m.to.includes('owner8@ad.test'));
    const job = h.controlPlane.autoDisable;
    // Minutes later another replica leaves the claim to the one holding it (no second mail).
    advanceTo(11.01, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [] });
    let s = await h.client.sources.getSource({ workspace: 'ad8', source: 'srv' });
    expect(s.autoDisableWarnedAt).toBeUndefined();
    expect(s.statusHistory.map((x) => x.status)).toEqual(['enabled']);
    // Past its due date, the other replica takes the abandoned claim over and warns: no disable yet.
    advanceTo(17, t0);
    expect(await job.runOnce()).toEqual({ warned: [src.id], disabled: [] });
    expect(mailsTo()).toHaveLength(1);
    s = await h.client.sources.getSource({ workspace: 'ad8', source: 'srv' });
    expect(s.enabled).toBe(true);
    expect(s.autoDisableDueAt).toEqual(new Date(t0.getTime() + 20 * DAY));
    advanceTo(20, t0);
    expect((await job.runOnce()).disabled).toEqual([src.id]);
  });

  it('without mail to warn owners with, warns and disables nothing, and reads give no date', async () => {
    const noMail = await startTestControlPlane({ now: () => clock });
    try {
      const t0 = clock;
      await noMail.client.workspaces.createWorkspace({ slug: 'nm', name: 'NM', ownerEmail: 'owner@nm.test' });
      const src = await noMail.client.sources.createSource({
        workspace: 'nm',
        slug: 'srv',
        name: 'Srv',
        environment: 'prod',
        type: 'node',
        category: 'server',
      });
      expect(src.autoDisableDueAt).toBeUndefined();
      expect(src.withoutDestinationSince).toEqual(t0);
      advanceTo(11, t0);
      expect(await noMail.controlPlane.autoDisable.runOnce()).toEqual({ warned: [], disabled: [] });
      advanceTo(40, t0);
      expect(await noMail.controlPlane.autoDisable.runOnce()).toEqual({ warned: [], disabled: [] });
      const s = await noMail.client.sources.getSource({ workspace: 'nm', source: 'srv' });
      expect(s).toMatchObject({ enabled: true, autoDisableDueAt: undefined, autoDisableWarnedAt: undefined });
      expect(s.statusHistory.map((x) => x.status)).toEqual(['enabled']);
    } finally {
      await noMail.stop();
    }
  });

  it('warns again before disabling a source taken off the exception list after its warning', async () => {
    const t0 = clock;
    const src = await serverSourceIn('ad10', 'owner10@ad.test', 'app');
    const job = h.controlPlane.autoDisable;
    const mailsTo = () => smtp.mails.filter((m) => m.to.includes('owner10@ad.test')).length;
    advanceTo(11, t0);
    expect((await job.runOnce()).warned).toEqual([src.id]);
    // The owner answers the warning by exempting it; weeks later the exception is removed.
    await h.client.workspaces.setAutoDisableException({ workspace: 'ad10', source: 'app', exempt: true });
    advanceTo(30, t0);
    expect(await job.runOnce()).toEqual({ warned: [], disabled: [] });
    await h.client.workspaces.setAutoDisableException({ workspace: 'ad10', source: 'app', exempt: false });
    let s = await h.client.sources.getSource({ workspace: 'ad10', source: 'app' });
    expect(s.autoDisableWarnedAt).toBeUndefined();
    expect(s.autoDisableDueAt!.getTime()).toBeGreaterThan(clock.getTime());
    // A new warning with 3 days' notice, not a disable at the next sweep.
    expect(await job.runOnce()).toEqual({ warned: [src.id], disabled: [] });
    expect(mailsTo()).toBe(2);
    advanceTo(32.9, t0);
    expect((await job.runOnce()).disabled).toEqual([]);
    advanceTo(33, t0);
    expect((await job.runOnce()).disabled).toEqual([src.id]);
    s = await h.client.sources.getSource({ workspace: 'ad10', source: 'app' });
    expect(s.enabled).toBe(false);
  });

  it('skips a source it cannot handle without holding up the sources after it', async () => {
    const t0 = clock;
    const create = async (workspace: string) => {
      await h.client.workspaces.createWorkspace({
        slug: workspace,
        name: workspace,
        ownerEmail: `o@${workspace}.test`,
      });
      return h.client.sources.createSource({
        workspace,
        slug: 'srv',
        name: 'Srv',
        environment: 'prod',
        type: 'node',
        category: 'server',
      });
    };
    // Listed first; its workspace's document of another shape (an exception list that is not a
    // list), as one written by hand would be. The third's workspace was stored before auto-disable
    // existed (no list at all): it has no exceptions.
    const odd = await create('ad4');
    const sound = await create('ad5');
    const older = await create('ad6');
    const store = h.controlPlane.domain.store;
    await store.workspaces.updateOne({ slug: 'ad4' }, { $set: { autoDisableExceptions: 5 as unknown as string[] } });
    await store.workspaces.updateOne({ slug: 'ad6' }, { $unset: { autoDisableExceptions: '' } });
    const sent: string[] = [];
    const job = new AutoDisableJob(
      store,
      { delivers: true, send: async (mail) => void sent.push(String(mail.to)), close: () => undefined },
      testLogger('ad-odd'),
      () => clock,
      async () => undefined,
    );
    advanceTo(11, t0);
    const { warned } = await job.runOnce();
    expect(warned).toContain(sound.id);
    expect(warned).toContain(older.id);
    expect(warned).not.toContain(odd.id);
    expect(sent).toContain('o@ad5.test');
    // The older workspace's source reads as any other: exempt from nothing.
    const read = await h.client.sources.getSource({ workspace: 'ad6', source: 'srv' });
    expect(read).toMatchObject({ id: older.id, autoDisableExempt: false });
    expect((await store.sources.findOne({ _id: odd.id }))?.autoDisableWarnedAt).toBeNull();
  });
});
