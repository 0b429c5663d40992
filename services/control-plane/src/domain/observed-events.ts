import type { ObservedEvent, PlanReport } from '@manifold/tracking-plans';
import type { Collection, Db } from 'mongodb';
import { upsert } from '../store/upsert';

const DAY_MS = 86_400_000;

/** One property path of one event kind of a source, with one JSON type, and the last day it was seen. */
interface ObservedPathDoc {
  _id: string;
  workspaceId: string;
  sourceId: string;
  eventType: string;
  eventName: string;
  /** JSON pointer into properties / traits; "" for the event kind itself (seen, with or without properties). */
  path: string;
  jsonType: string;
  /** Start of the (UTC) day it was last seen. */
  lastSeen: Date;
}

/** What ingestion's bounds left out for a source on one day. */
interface ObservationCutDoc {
  _id: string;
  sourceId: string;
  day: Date;
  events: number;
  paths: number;
}

/**
 * The shapes of each source's events as ingestion observes them (PlanReport.observed): per event
 * kind, property path and JSON type, the last day it was seen; what a starting plan is generated
 * from. The plan-report consumer is the only writer (upserts: a report read again changes nothing).
 */
export class ObservedEvents {
  private readonly paths: Collection<ObservedPathDoc>;
  private readonly cuts: Collection<ObservationCutDoc>;

  constructor(db: Db) {
    this.paths = db.collection('observed_event_paths');
    this.cuts = db.collection('observed_event_cuts');
  }

  async ensureIndexes(): Promise<void> {
    await this.paths.createIndex({ sourceId: 1, lastSeen: 1 }, { name: 'by_source_seen' });
    await this.cuts.createIndex({ sourceId: 1, day: 1 }, { name: 'by_source_day' });
  }

  async record(report: PlanReport): Promise<void> {
    const at = new Date(report.at);
    if (Number.isNaN(at.getTime())) return;
    const day = new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
    const record = async (event: ObservedEvent, path: string, jsonType: string): Promise<void> => {
      const doc = {
        workspaceId: report.workspaceId,
        sourceId: report.sourceId,
        eventType: event.type,
        eventName: event.event,
        path,
        jsonType,
      };
      const _id = [report.sourceId, event.type, event.event, path, jsonType].join('|');
      await upsert(this.paths, { _id }, { $set: { lastSeen: day }, $setOnInsert: doc });
    };
    // Each path is in one report per ingestion process and day: a few writes, not one per event.
    for (const event of report.observed) {
      await record(event, '', '');
      for (const [path, types] of Object.entries(event.paths))
        for (const type of types) await record(event, path, type);
    }
    if (report.cut.events > 0 || report.cut.paths > 0) {
      // A report read again after a crash counts its cuts twice, which only overstates a warning.
      await upsert(
        this.cuts,
        { _id: `${report.sourceId}|${day.toISOString()}` },
        {
          $inc: { events: report.cut.events, paths: report.cut.paths },
          $setOnInsert: { sourceId: report.sourceId, day },
        },
      );
    }
  }

  /** Every event kind of the source seen since `since`, with its paths and their types; and what was cut. */
  async since(
    sourceId: string,
    since: Date,
  ): Promise<{ observed: ObservedEvent[]; cut: { events: number; paths: number } }> {
    const byKind = new Map<string, ObservedEvent>();
    for await (const doc of this.paths.find({ sourceId, lastSeen: { $gte: since } })) {
      const key = `${doc.eventType}|${doc.eventName}`;
      let event = byKind.get(key);
      if (!event) byKind.set(key, (event = { type: doc.eventType, event: doc.eventName, paths: {} }));
      if (doc.path !== '') (event.paths[doc.path] ??= []).push(doc.jsonType);
    }
    const cut = { events: 0, paths: 0 };
    for await (const doc of this.cuts.find({
      sourceId,
      day: { $gte: new Date(Math.floor(since.getTime() / DAY_MS) * DAY_MS) },
    })) {
      cut.events += doc.events;
      cut.paths += doc.paths;
    }
    return { observed: [...byKind.values()], cut };
  }

  /** Deletes what was last seen before `before`. */
  async sweep(before: Date): Promise<number> {
    const paths = await this.paths.deleteMany({ lastSeen: { $lt: before } });
    const cuts = await this.cuts.deleteMany({ day: { $lt: before } });
    return paths.deletedCount + cuts.deletedCount;
  }
}
