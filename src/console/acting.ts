import { Context } from 'koa';
import { ZodError } from 'zod';
import { isAppError } from '../errors';

/** Why a console form was refused: the error code and, when known, the field at fault. */
export interface Refusal {
  error: string;
  field?: string;
}

/** A refusal from a zod or application error; null for anything else (a real failure). */
export function refusalOf(e: unknown): Refusal | null {
  if (e instanceof ZodError) return { error: 'validation_failed', field: e.issues[0]?.path.filter((p) => typeof p === 'string').join('.') || undefined };
  if (isAppError(e)) {
    const m = /^([A-Za-z][A-Za-z.]*):/.exec(e.message) ?? /\b(rectifyBy|outcome|findings)\b/.exec(e.message);
    return { error: e.code, field: m?.[1] };
  }
  return null;
}

/** Back to `to` with the refusal (nothing was changed). */
export function redirectRefused(ctx: Context, to: string, r: Refusal): void {
  ctx.redirect(`${to}${to.includes('?') ? '&' : '?'}error=${encodeURIComponent(r.error)}${r.field ? `&field=${encodeURIComponent(r.field)}` : ''}`);
}

export interface FlashTexts {
  done: Record<string, string>;
  errors: Record<string, string>;
  fields: Record<string, string>;
  badField: (label: string) => string;
}

/** The message shown after a form: `?done=` or `?error=&field=`, from fixed texts only. */
export function flashOf(ctx: Context, t: FlashTexts, fallback: string): { ok: boolean; text: string } | null {
  const q = ctx.query;
  if (typeof q.done === 'string') return Object.hasOwn(t.done, q.done) ? { ok: true, text: t.done[q.done] } : null;
  if (typeof q.error !== 'string') return null;
  const field = typeof q.field === 'string' ? q.field : '';
  const label = Object.hasOwn(t.fields, field) ? t.fields[field] : Object.hasOwn(t.fields, field.split('.')[0]) ? t.fields[field.split('.')[0]] : null;
  const base = Object.hasOwn(t.errors, q.error) ? t.errors[q.error] : fallback;
  return { ok: false, text: label ? `${base}${t.badField(label)}` : base };
}

/** A form's text field: trimmed, empty as undefined. */
export function field(form: URLSearchParams, k: string): string | undefined {
  const v = (form.get(k) ?? '').trim();
  return v ? v : undefined;
}

/** "12, 15" as ids; anything else kept as given so the schema refuses it. */
export function idList(form: URLSearchParams, k: string): unknown {
  const v = field(form, k);
  if (!v) return undefined;
  return v.split(/[,，\s]+/).filter(Boolean).map((x) => (/^\d{1,9}$/.test(x) ? Number(x) : x));
}
