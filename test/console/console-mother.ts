import { expect } from 'chai';
import { ConsoleAuditor } from '../../entities';
import { Harness, startHarness } from '../helpers/system';
import { createApiKey } from '../../src/http/auth';
import { DirectoryMother } from '../helpers/mothers/directory';
import { Api } from '../helpers/api';
import { createRequest, sweep } from '../helpers/scheduler';
import { seedDirectory } from '../helpers/seed';

export const AUDITOR = 'audit.jw';

/** The standard directory, an auditor, and SCJ's own request beside an escalated RSJ -> GAJ one. */
export async function seedConsole(h: Harness, day = '2026-12-01'): Promise<{ escalated: { id: number; number: string }; other: { id: number; number: string } }> {
  const t = (hhmm: string) => `${day}T${hhmm}:00+08:00`;
  h.clock.set(t('09:00'));
  await seedDirectory(h.sys.dataSource, DirectoryMother.standard());
  await h.sys.dataSource.getRepository(ConsoleAuditor).insert({ userid: AUDITOR, name: '审计员', createdBy: 'test', createdAt: h.clock.now });
  const rsj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'rsj-system', 'RSJ', h.clock.now));
  const scj = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'scj-system', 'SCJ', h.clock.now));
  const escalated = await createRequest(rsj);
  await h.sys.settle();
  await sweep(h, t('09:01'));
  await sweep(h, t('09:35'));
  h.clock.set(t('09:40'));
  const other = await createRequest(scj, { requesterUnit: 'SCJ', issuerUnit: 'RSJ' });
  await h.sys.settle();
  return { escalated, other };
}

export const consoleMembers = () => [...DirectoryMother.members(DirectoryMother.standard()), { userid: AUDITOR, name: '审计员' }, { userid: 'stranger', name: '路人' }];

/** A browser-less client: keeps cookies, follows nothing by itself. */
export class ConsoleClient {
  cookies = new Map<string, string>();
  /** Sent with every request to the server (e.g. x-forwarded-proto from a TLS proxy). */
  headers: Record<string, string> = {};
  constructor(private readonly h: Pick<Harness, 'sys'>) {}

  private jar(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const v = pair.slice(i + 1);
      if (v) this.cookies.set(pair.slice(0, i), v);
      else this.cookies.delete(pair.slice(0, i));
    }
  }

  async get(url: string): Promise<Response> {
    const full = url.startsWith('http') ? url : `${this.h.sys.url}${url}`;
    const cookie = full.startsWith(this.h.sys.url) ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '';
    const res = await fetch(full, { redirect: 'manual', headers: full.startsWith(this.h.sys.url) ? { ...this.headers, ...(cookie ? { cookie } : {}) } : {} });
    this.jar(res);
    return res;
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.h.sys.url}${path}`, { method: 'POST', redirect: 'manual', headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, body: new URLSearchParams(form).toString() });
    this.jar(res);
    return res;
  }

  /** The CSRF token of a page's forms. */
  static csrf(html: string): string {
    const m = /name="csrf" value="([0-9a-f]+)"/.exec(html);
    expect(m, 'a csrf field').to.exist;
    return m![1];
  }

  /**
   * Signs in through the emulator's OAuth (or QR login) page: start -> emulator (member
   * chosen) -> callback at PUBLIC_URL, answered here by the server.
   */
  async login(userid: string, via: 'oauth' | 'qr' = 'oauth'): Promise<Response> {
    const start = await this.get(`/console/login/start?via=${via}&next=${encodeURIComponent('/console/')}`);
    expect(start.status).to.equal(302);
    const to = new URL(start.headers.get('location')!);
    to.hash = '';
    to.searchParams.set('userid', userid);
    const back = await fetch(to, { redirect: 'manual' });
    expect(back.status, await back.clone().text()).to.equal(302);
    const cb = new URL(back.headers.get('location')!);
    return this.get(`/console/login/callback${cb.search}`);
  }
}

/**
 * The real server over the emulator, signed-in users of every role possible, the console's
 * data seeded before each test. Call inside a `describe`; the spec's own hooks run after these.
 */
export function consoleHarness(): { readonly h: Harness } {
  const env = { h: undefined as unknown as Harness };
  before(async () => {
    env.h = await startHarness({ members: consoleMembers() });
  });
  after(async () => env.h.close());
  beforeEach(async () => {
    await env.h.reset();
    await seedConsole(env.h);
  });
  return env;
}
