import { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { AppError, describeError, isAppError } from '../errors';
import { Logger } from '../logger';

/** Maps error codes to statuses and the body `{"error": {"code", "message"}}` (CONTRACT.md). */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (e) {
      let err: AppError;
      if (isAppError(e)) err = e;
      else if (e instanceof ZodError) {
        const msg = e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
        err = new AppError('validation_failed', msg, { details: e.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      } else {
        log.error({ err: describeError(e), reqId: ctx.state.reqId }, 'unhandled error');
        err = new AppError('internal', 'internal error');
      }
      ctx.status = err.status;
      const body: { error: { code: string; message: string; details?: unknown } } = { error: { code: err.code, message: err.message } };
      if (err.details !== undefined) body.error.details = err.details;
      ctx.body = body;
      if (err.status >= 500 && isAppError(e)) log.warn({ code: err.code, reqId: ctx.state.reqId }, err.message);
    }
  };
}

