import { z } from 'zod';
import { parseInstant } from '../calendar';

/** An ISO-8601 instant in a request body; a local time without offset is read in `tz`. */
export function instantSchema(tz: string) {
  return z.string().transform((s, ctx) => {
    try {
      return parseInstant(s, tz);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'an ISO-8601 instant, e.g. 2026-11-26T17:30:00+08:00' });
      return z.NEVER;
    }
  });
}
