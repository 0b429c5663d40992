import { status } from '@grpc/grpc-js';

export interface FieldViolation {
  field: string;
  message: string;
}

/**
 * The control plane's one error type: every failure a caller can cause becomes one of these,
 * and the gRPC layer turns it into a status code with a readable message.
 */
export class ControlPlaneError extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
    this.name = 'ControlPlaneError';
  }

  static invalid(violations: readonly FieldViolation[]): ControlPlaneError {
    const text = violations.map((v) => `${v.field}: ${v.message}`).join('; ');
    return new ControlPlaneError(status.INVALID_ARGUMENT, `invalid input: ${text}`, violations);
  }

  static notFound(what: string, key: string): ControlPlaneError {
    return new ControlPlaneError(status.NOT_FOUND, `${what} ${JSON.stringify(key)} not found`);
  }

  static alreadyExists(message: string): ControlPlaneError {
    return new ControlPlaneError(status.ALREADY_EXISTS, message);
  }

  static unauthenticated(message: string): ControlPlaneError {
    return new ControlPlaneError(status.UNAUTHENTICATED, message);
  }

  /** Someone else changed it since the caller read it (a version conflict): read again, then retry. */
  static conflict(message: string): ControlPlaneError {
    return new ControlPlaneError(status.ABORTED, message);
  }

  static failedPrecondition(message: string): ControlPlaneError {
    return new ControlPlaneError(status.FAILED_PRECONDITION, message);
  }
}

/** Collects field violations so one error can name every bad field at once. */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, message: string): this {
    this.list.push({ field, message });
    return this;
  }

  addAll(violations: readonly FieldViolation[]): this {
    this.list.push(...violations);
    return this;
  }

  get all(): readonly FieldViolation[] {
    return this.list;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw ControlPlaneError.invalid(this.list);
  }
}
