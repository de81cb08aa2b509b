import crypto from 'crypto';
import fs from 'fs';
import Router from '@koa/router';
import { Context } from 'koa';
import { CONSOLE_CSS, CONSOLE_JS, PHONES_JS } from './assets';
import { CALENDAR_CSS } from './calendar.assets';

interface Asset {
  type: string;
  body: () => Buffer;
  etag: () => string;
}

function asset(type: string, load: () => Buffer): Asset {
  let cached: Buffer | null = null;
  let tag = '';
  const body = () => (cached ??= load());
  return { type, body, etag: () => (tag ||= `"${crypto.createHash('sha256').update(body()).digest('hex').slice(0, 16)}"`) };
}

/** The console's own style and script, and ECharts served from the package (never a CDN). */
export function staticRouter(): Router {
  const r = new Router();
  const files: Record<string, Asset> = {
    'console.css': asset('text/css; charset=utf-8', () => Buffer.from(CONSOLE_CSS + CALENDAR_CSS)),
    'console.js': asset('text/javascript; charset=utf-8', () => Buffer.from(CONSOLE_JS)),
    'phones.js': asset('text/javascript; charset=utf-8', () => Buffer.from(PHONES_JS)),
    'echarts.min.js': asset('text/javascript; charset=utf-8', () => fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'))),
  };
  r.get('/console/static/:file', (ctx: Context) => {
    const a = files[ctx.params.file];
    if (!a) return;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', a.etag());
    if (ctx.get('if-none-match') === a.etag()) {
      ctx.status = 304;
      return;
    }
    ctx.type = a.type;
    ctx.body = a.body();
  });
  return r;
}
