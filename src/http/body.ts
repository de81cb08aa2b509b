import { Context } from 'koa';
import { AppError } from '../errors';

/** Reads the raw body up to limit bytes; a larger body is refused without reading it all. */
export async function readRawBody(ctx: Context, limit: number): Promise<string> {
  return (await readRawBytes(ctx, limit)).toString('utf8');
}

/** The raw body as bytes (an uploaded workbook), with the same limit rule as readRawBody. */
export async function readRawBytes(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new AppError('wecom_body_too_large', `body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      ctx.req.destroy();
      throw new AppError('wecom_body_too_large', `body larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** JSON body for /api/v1 (1 MB cap). */
export async function readJson<T = unknown>(ctx: Context, limit = 1024 * 1024): Promise<T> {
  let raw: string;
  try {
    raw = await readRawBody(ctx, limit);
  } catch (e) {
    if (e instanceof AppError && e.code === 'wecom_body_too_large') throw new AppError('bad_request', `request body larger than ${limit} bytes`);
    throw e;
  }
  if (!raw.trim()) return {} as T;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new AppError('bad_request', 'request body is not valid JSON');
  }
}
