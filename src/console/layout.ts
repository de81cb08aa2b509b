import { Context } from 'koa';
import { T } from './messages';
import { CAL, SUP } from './calendar.messages';
import { A, M } from './accountability.messages';
import type { ConsoleUser } from './session';

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Strict policy: no inline script or style, everything from this server (ECharts included). */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cache-Control', 'no-store');
}

/** The console's areas, in the order of the navigation bar. */
const NAV = [
  ['dashboard', '/console/', () => T.nav.dashboard],
  ['verifications', '/console/verifications', () => T.nav.verifications],
  ['complaints', '/console/complaints', () => T.nav.complaints],
  ['exemptions', '/console/exemptions', () => T.nav.exemptions],
  ['directory', '/console/directory', () => T.nav.directory],
  ['accountability', '/console/accountability', () => A.nav],
  ['meetings', '/console/meetings', () => M.nav],
  ['calendar', '/console/calendar', () => CAL.nav],
  ['supervision', '/console/supervision', () => SUP.nav],
] as const;
export type NavKey = (typeof NAV)[number][0];

export interface PageOptions {
  title: string;
  user?: ConsoleUser | null;
  active?: NavKey;
  scripts?: string[];
}

export function layout(o: PageOptions, body: string): string {
  const u = o.user;
  const nav = u
    ? `<nav aria-label="主导航">${NAV.map(([key, href, label]) => `<a href="${href}"${o.active === key ? ' aria-current="page"' : ''}>${esc(label())}</a>`).join('')}</nav>` +
      `<div class="who"><span>${esc(u.name)} · ${esc(T.role[u.role])}${u.unitName && u.role === 'unit' ? ` · ${esc(u.unitName)}` : ''}</span>` +
      `<form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${esc(u.csrf)}"><button type="submit" class="link">${esc(T.nav.logout)}</button></form></div>`
    : '';
  const scripts = (o.scripts ?? []).map((s) => `<script src="${esc(s)}" defer></script>`).join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${esc(o.title)} · ${esc(T.appName)}</title><link rel="stylesheet" href="/console/static/console.css">${scripts}</head><body><header><a class="brand" href="/console/">${esc(T.appName)}</a>${nav}</header><main id="main">${body}</main></body></html>`;
}

export function sendPage(ctx: Context, status: number, o: PageOptions, body: string): void {
  securityHeaders(ctx);
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = layout(o, body);
}

export function errorPage(ctx: Context, status: number, message: string, user?: ConsoleUser | null): void {
  sendPage(ctx, status, { title: message, user }, `<h1>${esc(message)}</h1><p><a href="/console/">${esc(T.nav.dashboard)}</a></p>`);
}

/** A form's hidden CSRF field. */
export function csrfField(u: ConsoleUser): string {
  return `<input type="hidden" name="csrf" value="${esc(u.csrf)}">`;
}
