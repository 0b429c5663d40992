// What a destination changed in an event without failing it: a field it dropped (with the
// reason) or a value it converted. The event is still delivered; the translator counts each
// notice per destination instance, so no field disappears without a trace.
import { valueType, type Coerced, type Coercion, type ValueType } from './coerce';

export interface FieldNotice {
  kind: 'dropped' | 'converted';
  /**
   * Where in the destination's payload, e.g. "event_properties.price" or "items[].price"
   * (list indexes are written `[]`, so the same field of every item counts as one).
   */
  field: string;
  /** Why it was dropped ("not a number", "nested object"), or the conversion ("string to number"). */
  reason: string;
}

/** Longer field paths are cut: a notice names a field, it does not carry the user's data. */
const MAX_FIELD_LENGTH = 200;
/** Beyond this many distinct notices an event records no more (a pathological event stays cheap). */
const MAX_NOTICES_PER_EVENT = 100;

/** The notices of one event for one destination instance; the same notice is recorded once. */
export class Notices {
  private readonly byKey = new Map<string, FieldNotice>();

  /**
   * `perEvent`: for a multi-request flow of a batch, the notices of each event of the batch (by
   * its index in the batch, as `itemEvents` gives it), so a follow-up step records what it leaves
   * out of one item against that item's event (`forEvent`).
   */
  constructor(private readonly perEvent?: readonly Notices[]) {}

  /** The notices of the batch's event `index` in a batched flow; these notices otherwise. */
  forEvent(index: number): Notices {
    return this.perEvent?.[index] ?? this;
  }

  /** `field` could not be sent and was left out; the rest of the event is delivered. */
  dropped(field: string, reason: string): void {
    this.add({ kind: 'dropped', field: fieldPath(field), reason });
  }

  /** `field` was sent after converting its value from one type to another. */
  converted(field: string, from: ValueType, to: ValueType): void {
    this.add({ kind: 'converted', field: fieldPath(field), reason: `${from} to ${to}` });
  }

  /** `field` was sent in another form the API takes (e.g. "flattened into params", "cut to 100 characters"). */
  reshaped(field: string, how: string): void {
    this.add({ kind: 'converted', field: fieldPath(field), reason: how });
  }

  /**
   * The value converted by `coercion`, recording a conversion notice when its type changed, or
   * undefined with a drop notice when it cannot convert. Null and undefined are absent: undefined,
   * no notice.
   */
  coerce<T>(field: string, value: unknown, coercion: Coercion<T>): T | undefined {
    if (value === null || value === undefined) return undefined;
    return this.record(field, coercion(value));
  }

  /** Records what a coercion result means for `field`; the value, or undefined when it was refused. */
  record<T>(field: string, result: Coerced<T>): T | undefined {
    if (!result.ok) {
      this.dropped(field, result.reason);
      return undefined;
    }
    if (result.from) this.converted(field, result.from, valueType(result.value));
    return result.value;
  }

  /** Adds notices recorded elsewhere (e.g. during mapping) to this event's. */
  addAll(notices: readonly FieldNotice[]): void {
    for (const notice of notices) this.add(notice);
  }

  get list(): FieldNotice[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }

  private add(notice: FieldNotice): void {
    if (this.byKey.size >= MAX_NOTICES_PER_EVENT) return;
    const key = `${notice.kind}\u0000${notice.field}\u0000${notice.reason}`;
    if (!this.byKey.has(key)) this.byKey.set(key, notice);
  }
}

/** "products[3].price" → "products[].price", cut to a bounded length. */
export function fieldPath(field: string): string {
  const path = field.replace(/\[\d+\]/g, '[]');
  return path.length > MAX_FIELD_LENGTH ? `${path.slice(0, MAX_FIELD_LENGTH - 1)}…` : path;
}

/** One line for a notice, as stats and logs show it: "event_properties.price: string to number". */
export function describeNotice(notice: FieldNotice): string {
  return `${notice.field}: ${notice.reason}`;
}
