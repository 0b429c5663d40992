/** A mapping that cannot be resolved against an event: a malformed directive, or one that failed on this event. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}
