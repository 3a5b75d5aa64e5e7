import type { FieldError } from '@stockstream/contracts';

export const PROBLEM_BASE = 'https://stockstream.dev/problems/';

export interface AppErrorOptions {
  status: number;
  /** The last part of the problem type URI, such as "not-found" or "insufficient-stock". */
  type: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  extra?: Record<string, unknown>;
}

/** An error the client caused or must know about; the error middleware turns it into problem+json. */
export class AppError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown>;

  constructor(options: AppErrorOptions) {
    super(options.detail ?? options.title);
    this.name = 'AppError';
    this.status = options.status;
    this.type = options.type;
    this.title = options.title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.extra = options.extra ?? {};
  }

  static notFound(what: string): AppError {
    return new AppError({ status: 404, type: 'not-found', title: 'Not found', detail: `${what} does not exist` });
  }

  static conflict(type: string, detail: string, errors?: FieldError[], extra?: Record<string, unknown>): AppError {
    return new AppError({ status: 409, type, title: 'Conflict', detail, errors, extra });
  }

  static preconditionFailed(detail: string): AppError {
    return new AppError({ status: 412, type: 'precondition-failed', title: 'Precondition failed', detail });
  }

  static validation(errors: FieldError[]): AppError {
    return new AppError({
      status: 400,
      type: 'validation',
      title: 'Your request is not valid',
      detail: errors.map((error) => `${error.path}: ${error.message}`).join('; '),
      errors,
    });
  }
}
