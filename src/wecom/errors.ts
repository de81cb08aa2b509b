import { AppError } from '../errors';

/**
 * WeCom answered a nonzero errcode. Carries the API path (never the query string, which
 * holds the access_token or, for gettoken, the secret).
 */
export class WeComError extends AppError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly path: string;
  constructor(path: string, errcode: number, errmsg: string) {
    super('wecom_api_error', `WeCom ${path} answered errcode ${errcode}: ${errmsg}`, { details: { path, errcode } });
    this.name = 'WeComError';
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
  }
}

/**
 * Wrong credentials (40001/40091 wrong secret, 40013 wrong corpid): stop, never loop —
 * repeated wrong secrets can get the caller's IP banned for an hour (WECOM.md §7).
 */
export class WeComFatalError extends WeComError {
  constructor(path: string, errcode: number, errmsg: string) {
    super(path, errcode, errmsg);
    this.name = 'WeComFatalError';
  }
}

/** WeCom could not be reached or answered HTTP 5xx / something that is not its JSON. */
export class WeComUnavailableError extends AppError {
  readonly path: string;
  readonly httpStatus: number | null;
  constructor(path: string, reason: string, httpStatus: number | null = null) {
    super('wecom_api_error', `WeCom ${path} unavailable: ${reason}`, { details: { path, httpStatus } });
    this.name = 'WeComUnavailableError';
    this.path = path;
    this.httpStatus = httpStatus;
  }
}

/** Wrong secret or corpid at gettoken (DOC 90313). */
export const FATAL_ERRCODES: ReadonlySet<number> = new Set([40001, 40091, 40013]);
/** The access_token is invalid or expired: refresh and retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);
/** Busy (-1), frequency (45009) and concurrency (45033) limits: back off and retry. */
export const BACKOFF_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);
