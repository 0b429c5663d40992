/**
 * What a plan found wrong with one event. `rule` is `unplanned_event`, `unplanned_property`, or
 * the JSON Schema keyword that failed (`type`, `required`, `enum`, `format`...).
 */
export interface Violation {
  rule: string;
  /** Where in the checked object (`properties` or `traits`), as a JSON pointer; "" for the event itself. */
  path: string;
  message: string;
}

/** The outcome of holding one event to its source's plan. */
export interface PlanVerdict {
  violations: Violation[];
  /** The event goes to the quarantine topic instead of the events topic. */
  blocked: boolean;
  /**
   * What the `drop_property` policy removed from the event: the JSON pointer of each value, as
   * deep as the offence (`/address/zip`, `/items/0/price`; an unplanned property is top-level).
   */
  dropped: string[];
  /** The values `dropped` removed, by pointer: what samples of those violations show. */
  droppedValues?: ReadonlyMap<string, unknown>;
}

export const PASSED: PlanVerdict = Object.freeze({ violations: [], blocked: false, dropped: [] }) as PlanVerdict;
