/** Who is calling and when: every write records its actor, and time is injectable for tests. */
export interface CallContext {
  actor: string;
  now: Date;
}
