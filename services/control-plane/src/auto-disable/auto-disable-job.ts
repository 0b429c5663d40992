import { SaidOnce, type Logger } from '@manifold/logger';
import { isDuplicateKeyError } from '@manifold/mongo';
import { refreshSourceLinks } from '../domain/links';
import type { SourceDoc, StatusChangeDoc } from '../store/documents';
import type { Store } from '../store/store';
import type { Mailer } from '@manifold/mail';
import { autoDisableDueAt, DEFAULT_AUTO_DISABLE_POLICY, type AutoDisablePolicy } from './policy';

export interface AutoDisableOptions extends AutoDisablePolicy {
  /** How often the sweep runs (ms). */
  intervalMs: number;
}

const DAY = 86_400_000;
const ACTOR = 'manifold (auto-disable)';

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

    if (!source.autoDisableWarnedAt) {
      // Warned now, the disable date is never less than the warning period away.
      const disableOn = autoDisableDueAt({ ...source, autoDisableWarnedAt: now }, this.options);
      if (disableOn && (await this.warn(source, workspace.ownerEmail, workspace.slug, disableOn, now)))
        result.warned.push(source._id);
      return;
    }
    const dueAt = autoDisableDueAt(source, this.options);
    if (dueAt && now >= dueAt && (await this.disable(source, now))) result.disabled.push(source._id);
  }

  private async warn(
    source: SourceDoc,
    ownerEmail: string,
    workspaceSlug: string,
    disableOn: Date,
    now: Date,
  ): Promise<boolean> {
    const entry: StatusChangeDoc = {
      status: 'warned',
      changedBy: ACTOR,
      changedAt: now,
      reason: `no enabled destination since ${source.withoutDestinationSince?.toISOString()}; will be disabled on ${disableOn.toISOString()}; owner ${ownerEmail} notified`,
    };
    const claim = `${source._id}|warn|${source.withoutDestinationSince?.toISOString()}`;
    if (!(await this.claim(claim, now))) return false; // another replica warned first
    await this.store.sources.updateOne(
      { _id: source._id },
      { $set: { autoDisableWarnedAt: now }, $push: { statusHistory: entry } },
    );
    try {
      await this.mailer.send({
        to: ownerEmail,
        subject: `Manifold: source "${source.name}" will be disabled on ${disableOn.toISOString().slice(0, 10)}`,
        text:
          `The source "${source.name}" (/${workspaceSlug}/sources/${source.slug}) has had no enabled destination ` +
          `since ${source.withoutDestinationSince?.toISOString()}.\n\n` +
          `Manifold disables sources without an enabled destination after ${this.options.afterDays} days, so it will be ` +
          `disabled on ${disableOn.toISOString()} and its events will be dropped from then on.\n\n` +
          `To keep it: connect an enabled destination, or add the source to the workspace's auto-disable exception list.\n`,
      });
    } catch (error) {
      // Undo the claim so the next sweep tries again; no disable happens without a warning.
      await this.store.sources.updateOne(
        { _id: source._id },
        { $set: { autoDisableWarnedAt: null, statusHistory: source.statusHistory } },
      );
      await this.store.autoDisableClaims.deleteOne({ _id: claim });
      this.logger.error({ err: error, sourceId: source._id }, 'auto-disable warning mail failed; will retry');
      return false;
    }
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
    if (!(await this.claim(`${source._id}|disable|${source.withoutDestinationSince?.toISOString()}`, now)))
      return false;
    const updated = await this.store.sources.updateOne(
      { _id: source._id, enabled: true },
      { $set: { enabled: false, status }, $push: { statusHistory: status } },
    );
    if (updated.modifiedCount === 0) return false;
    this.logger.info({ sourceId: source._id }, 'source auto-disabled');
    return true;
  }

  /** True for the one replica whose insert of this claim succeeds. */
  private async claim(id: string, now: Date): Promise<boolean> {
    try {
      await this.store.autoDisableClaims.insertOne({ _id: id, claimedAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}
