import { SaidOnce, type Logger } from '@manifold/logger';
import { isDuplicateKeyError } from '@manifold/mongo';
import { refreshSourceLinks } from '../domain/links';
import type { SourceDoc, StatusChangeDoc, WorkspaceDoc } from '../store/documents';
import type { Store } from '../store/store';
import type { Mailer } from '@manifold/mail';
import { autoDisableDueAt, DEFAULT_AUTO_DISABLE_POLICY, type AutoDisablePolicy } from './policy';

export interface AutoDisableOptions extends AutoDisablePolicy {
  /** How often the sweep runs (ms). */
  intervalMs: number;
}

const DAY = 86_400_000;
const ACTOR = 'manifold (auto-disable)';
/**
 * A claim older than this whose work is still undone (no warning recorded, the source still
 * enabled) was left by a replica that died holding it; another replica takes it over. Far longer
 * than a mail send or a write takes, so a live holder is never overtaken.
 */
export const CLAIM_TAKEOVER_MS = 60 * 60 * 1000;

export interface SweepResult {
  warned: string[];
  disabled: string[];
}

/**
 * Disables sources that have had no enabled destination for 14 days, after warning the
 * workspace owner by email at least 3 days ahead. Safe with several replicas: each warning and
 * each disable is first claimed by inserting a document with a unique _id, so only one replica
 * acts on it. (A conditional findOneAndUpdate is not enough: FerretDB does not make it atomic
 * across concurrent callers, while a unique _id insert is atomic in both it and MongoDB.)
 * A warning is recorded only once its mail has gone, so a replica that dies mid-send leaves a
 * source unwarned (its claim is taken over later), never warned on record without a mail.
 * Without a mailer that delivers, no owner can be warned, so nothing is warned or disabled.
 */
export class AutoDisableJob {
  private readonly options: AutoDisableOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** Why each source last failed, so that a failure repeated at every sweep is logged once. */
  private readonly said = new SaidOnce();

  constructor(
    private readonly store: Store,
    private readonly mailer: Mailer,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly onChange: () => Promise<void>,
    options: Partial<AutoDisableOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUTO_DISABLE_POLICY, intervalMs: 60 * 60 * 1000, ...options };
  }

  start(): void {
    if (!this.mailer.delivers) {
      this.logger.warn(
        'auto-disable is off: no SMTP_URL to warn workspace owners with, so no source is disabled for lacking a destination',
      );
    }
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((error: unknown) =>
        this.logger.error({ err: error }, 'auto-disable sweep failed'),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<SweepResult> {
    const now = this.now();
    const { afterDays, warnDaysBefore } = this.options;
    const warnFrom = new Date(now.getTime() - (afterDays - warnDaysBefore) * DAY);
    const result: SweepResult = { warned: [], disabled: [] };
    // No source is disabled without its owner having been mailed first.
    if (!this.mailer.delivers) return result;
    const candidates = await this.store.sources
      .find({ enabled: true, withoutDestinationSince: { $ne: null, $lte: warnFrom } })
      .toArray();
    for (const candidate of candidates) {
      // One source that cannot be handled (its workspace's document of another shape, a failed
      // write) is logged and skipped: thrown out of here it held up every source listed after it,
      // at every sweep, and the config change for those disabled before it was never made.
      try {
        await this.sweepOne(candidate._id, now, warnFrom, result);
        this.said.gone(candidate._id);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (this.said.first(candidate._id, reason)) {
          this.logger.error(
            { err: error, sourceId: candidate._id },
            'auto-disable skipped a source it could not handle',
          );
        }
      }
    }
    if (result.disabled.length > 0) await this.onChange();
    return result;
  }

  /** Warns about or disables one candidate source, when it is (still) due. */
  private async sweepOne(sourceId: string, now: Date, warnFrom: Date, result: SweepResult): Promise<void> {
    // The links may be stale after a crash between writes: recompute before acting.
    await refreshSourceLinks(this.store, [sourceId], now);
    const source = await this.store.sources.findOne({ _id: sourceId });
    if (!source?.enabled || !source.withoutDestinationSince || source.withoutDestinationSince > warnFrom) return;
    const workspace = await this.store.workspaces.findOne({ _id: source.workspaceId });
    if (!workspace || (workspace.autoDisableExceptions ?? []).includes(source._id)) return;

    const warnedAt = source.autoDisableWarnedAt;
    if (warnedAt && source.status.status === 'enabled' && source.status.changedAt > warnedAt) {
      // Enabled again after its warning (auto-disabled, then turned on, before enabling restarted
      // the clock): its 14 days start from that, with a new warning; never a disable at once.
      await this.store.sources.updateOne(
        { _id: source._id, autoDisableWarnedAt: warnedAt },
        { $set: { withoutDestinationSince: source.status.changedAt, autoDisableWarnedAt: null } },
      );
      return;
    }
    if (!warnedAt) {
      // Warned now, the disable date is never less than the warning period away.
      const disableOn = autoDisableDueAt({ ...source, autoDisableWarnedAt: now }, this.options);
      if (disableOn && (await this.warn(source, workspace, disableOn, now))) result.warned.push(source._id);
      return;
    }
    const dueAt = autoDisableDueAt(source, this.options);
    if (dueAt && now >= dueAt && (await this.disable(source, now))) result.disabled.push(source._id);
  }

  private async warn(source: SourceDoc, workspace: WorkspaceDoc, disableOn: Date, now: Date): Promise<boolean> {
    const ownerEmail = workspace.ownerEmail;
    const since = source.withoutDestinationSince?.toISOString();
    const entry: StatusChangeDoc = {
      status: 'warned',
      changedBy: ACTOR,
      changedAt: now,
      reason: `no enabled destination since ${since}; will be disabled on ${disableOn.toISOString()}; owner ${ownerEmail} notified`,
    };
    const claim = `${source._id}|warn|${since}`;
    const claimedAt = await this.claim(claim, now);
    if (!claimedAt) return false; // another replica is warning, or has
    try {
      await this.mailer.send({
        to: ownerEmail,
        subject: `Manifold: source "${source.name}" will be disabled on ${disableOn.toISOString().slice(0, 10)}`,
        text:
          `The source "${source.name}" of the workspace "${workspace.name}" (/${workspace.slug}/sources/${source.slug}) ` +
          `has had no enabled destination since ${since}.\n\n` +
          `Manifold disables sources without an enabled destination after ${this.options.afterDays} days, so it will be ` +
          `disabled on ${disableOn.toISOString()} and its events will be dropped from then on.\n\n` +
          `To keep it: connect an enabled destination, or add the source to the workspace's auto-disable exception list ` +
          `(manifold workspaces exempt ${workspace.slug} ${source.slug}).\n`,
      });
    } catch (error) {
      // Give the claim back so the next sweep tries again; nothing was recorded, so no disable
      // happens without a warning.
      await this.store.autoDisableClaims.deleteOne({ _id: claim, claimedAt });
      this.logger.error({ err: error, sourceId: source._id }, 'auto-disable warning mail failed; will retry');
      return false;
    }
    // Recorded only now that the owner has been mailed. The disable date counts from here.
    await this.store.sources.updateOne(
      { _id: source._id },
      { $set: { autoDisableWarnedAt: now }, $push: { statusHistory: entry } },
    );
    this.logger.info({ sourceId: source._id, to: ownerEmail, disableOn }, 'auto-disable warning sent');
    return true;
  }

  private async disable(source: SourceDoc, now: Date): Promise<boolean> {
    const status: StatusChangeDoc = {
      status: 'disabled',
      changedBy: ACTOR,
      changedAt: now,
      reason: `auto-disabled: no enabled destination since ${source.withoutDestinationSince?.toISOString()} (${this.options.afterDays} days)`,
    };
    const claim = `${source._id}|disable|${source.withoutDestinationSince?.toISOString()}`;
    // A claim that some status change followed was done (or overtaken by a user): never taken over.
    if (!(await this.claim(claim, now, (claimedAt) => source.status.changedAt >= claimedAt))) return false;
    const updated = await this.store.sources.updateOne(
      { _id: source._id, enabled: true },
      { $set: { enabled: false, status }, $push: { statusHistory: status } },
    );
    if (updated.modifiedCount === 0) return false;
    this.logger.info({ sourceId: source._id }, 'source auto-disabled');
    return true;
  }

  /**
   * The claim's time for the one replica whose insert of it succeeds, undefined for the others.
   * A claim left longer than CLAIM_TAKEOVER_MS, whose work the source shows undone (`done` says
   * otherwise), is one whose holder died before finishing: it is deleted by its time, so of
   * several replicas taking it over only one deletes it and one inserts it again.
   */
  private async claim(id: string, now: Date, done?: (claimedAt: Date) => boolean): Promise<Date | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.store.autoDisableClaims.insertOne({ _id: id, claimedAt: now });
        return now;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await this.store.autoDisableClaims.findOne({ _id: id });
      if (!held || now.getTime() - held.claimedAt.getTime() < CLAIM_TAKEOVER_MS || done?.(held.claimedAt))
        return undefined;
      await this.store.autoDisableClaims.deleteOne({ _id: id, claimedAt: held.claimedAt });
      this.logger.warn({ claim: id, claimedAt: held.claimedAt }, 'auto-disable takes over a claim left unfinished');
    }
    return undefined;
  }
}
