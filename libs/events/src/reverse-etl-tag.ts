// What a Reverse ETL row-change event says about itself, so that delivery reports can name the
// model run, the change kind and the row of each outcome without the translator knowing models.
import type { SpecEvent } from './spec';

/** What a row change is, by comparison with the previous run's result on the unique identifier. */
export type ChangeKind = 'added' | 'updated' | 'deleted';
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'updated', 'deleted'];

/** The model run a row change belongs to, and its kind: what a delivery report is counted under. */
export interface ReverseEtlTag {
  modelId: string;
  runId: string;
  changeKind: ChangeKind;
}

/** `context.reverseEtl` of a row-change event (libs/reverse-etl writes it). */
export interface ReverseEtlContext extends ReverseEtlTag {
  /** The row's identifier value, as text. */
  key: string;
}

/**
 * The `context.reverseEtl` of an event published by a model (its source is the model), else
 * undefined: one property read for every other event. An event from a source that only claims to
 * be a row change (its source is not the model it names) is not one.
 */
export function reverseEtlContextOf(event: SpecEvent, sourceId: string): ReverseEtlContext | undefined {
  const tag = event.context.reverseEtl;
  if (typeof tag !== 'object' || tag === null) return undefined;
  const { modelId, runId, changeKind, key } = tag as Record<string, unknown>;
  if (modelId !== sourceId || typeof runId !== 'string' || typeof key !== 'string') return undefined;
  if (!(CHANGE_KINDS as readonly unknown[]).includes(changeKind)) return undefined;
  return { modelId, runId, changeKind: changeKind as ChangeKind, key };
}
