import { DataSource } from 'typeorm';
import { Complaint, ComplaintEvent, ComplaintNotice, OutboxMessage } from '../../entities';
import type { DeliveredMessage, KfSentMessage } from '../../src/sandbox';
import { createApiKey } from '../../src/http/auth';
import { createKfWorker, KfWorker } from '../../src/complaints';
import { Api } from './api';
import { kfContent } from './inbox';
import { Harness, startHarness } from './system';
import { DirectoryMother } from './mothers/directory';
import { AgencyUnits, ChatMother, ChatDraft } from './mothers/complaints';
import { seedDirectory } from './seed';

export interface KfHarness {
  h: Harness;
  worker: KfWorker;
  office: Api;
  /** A fresh kf account per test: the emulator keeps its message log across tests. */
  kf: string;
  newAccount(): string;
  /** Inbox -> kf worker (sync, handle) -> outbox, until nothing moves. */
  settle(): Promise<void>;
  /** The citizen writes; everything is processed. Returns what they got back. */
  say(ext: string, content: string, menuId?: string): Promise<string[]>;
  /** Everything sent to the citizen on this test's account, as strings. */
  sent(ext: string): string[];
  /** kf messages to the citizen on this test's account. */
  kfSent(ext: string): KfSentMessage[];
  /** App messages delivered since this test began (the emulator keeps its log across tests). */
  delivered(filter?: { touser?: string; msgtype?: string }): DeliveredMessage[];
  seq0: number;
  last(ext: string): string;
  unitKey(unitCode: string): Promise<Api>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

let accounts = 0;

export async function startKfHarness(opts: { env?: Record<string, string>; start?: string } = {}): Promise<KfHarness> {
  const units = AgencyUnits.county();
  const h = await startHarness({ members: DirectoryMother.members(units), kfAccounts: [], env: opts.env, start: opts.start });
  const worker = createKfWorker(h.sys.deps, h.sys.client, { instanceId: 'test-kf-worker' });
  const kh: KfHarness = {
    h,
    worker,
    office: new Api(h.sys.url, ''),
    kf: '',
    newAccount() {
      const id = `wkT${Date.now().toString(36)}${(accounts++).toString(36)}`;
      h.emu.addKfAccount(id);
      return id;
    },
    async settle() {
      let quiet = 0;
      for (let i = 0; i < 40 && quiet < 2; i++) {
        await h.sys.settle();
        const r = await worker.runOnce();
        quiet = r.synced + r.stored + r.processed + r.reconciled === 0 ? quiet + 1 : 0;
      }
    },
    async say(ext, content, menuId) {
      const before = kh.kfSent(ext).length;
      await h.emu.kfCustomerSays(kh.kf, ext, content, menuId ? { menuId } : undefined);
      await kh.settle();
      return kh.kfSent(ext).slice(before).map(kfContent);
    },
    kfSent(ext) {
      return h.emu.kfSent(ext).filter((m) => m.open_kfid === kh.kf);
    },
    sent(ext) {
      return kh.kfSent(ext).map(kfContent);
    },
    last(ext) {
      const all = kh.kfSent(ext);
      return all.length ? kfContent(all[all.length - 1]) : '';
    },
    seq0: 0,
    delivered(filter = {}) {
      return h.emu.delivered(filter).filter((d) => d.seq > kh.seq0);
    },
    async unitKey(unitCode) {
      return new Api(h.sys.url, await createApiKey(h.sys.dataSource, `unit ${unitCode}`, unitCode, h.clock.now));
    },
    async reset() {
      await h.reset();
      h.clock.set(opts.start ?? '2026-11-26T09:00:00+08:00');
      await seedDirectory(h.sys.dataSource, units);
      kh.office = new Api(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
      kh.kf = kh.newAccount();
      kh.seq0 = h.emu.delivered().reduce((n, d) => Math.max(n, d.seq), 0);
    },
    close: () => h.close(),
  };
  return kh;
}

export async function complaintByNumber(ds: DataSource, number: string): Promise<Complaint> {
  return ds.getRepository(Complaint).findOneByOrFail({ number });
}

export async function eventsOf(ds: DataSource, complaintId: number): Promise<ComplaintEvent[]> {
  return ds.getRepository(ComplaintEvent).find({ where: { complaintId }, order: { id: 'ASC' } });
}

/** Counts of everything a refused input must leave unchanged. */
export async function complaintSnapshot(kh: KfHarness): Promise<Record<string, number | string>> {
  const ds = kh.h.sys.dataSource;
  const rows = await ds.getRepository(Complaint).find({ order: { id: 'ASC' } });
  return {
    complaints: JSON.stringify(rows.map((c) => [c.id, c.status, c.version, c.dueAt?.getTime() ?? null, c.agencyCode])),
    events: await ds.getRepository(ComplaintEvent).count(),
    notices: await ds.getRepository(ComplaintNotice).count(),
    outbox: await ds.getRepository(OutboxMessage).count(),
    delivered: kh.h.emu.delivered().length,
    kfSent: kh.h.emu.kfSent().length,
  };
}

/** Files a complaint entirely in the chat, tapping the menus; returns the case number. */
export async function fileByChat(kh: KfHarness, ext: string, over: Partial<ChatDraft> = {}): Promise<string> {
  const d = ChatMother.draft(over);
  await kh.say(ext, '投诉举报', 'menu_complain');
  await kh.say(ext, String(d.ground), `ground_${d.ground}`);
  await kh.say(ext, d.agency);
  await kh.say(ext, d.facts);
  await kh.say(ext, d.request);
  await kh.say(ext, d.name);
  await kh.say(ext, d.phone);
  if (d.principal) {
    await kh.say(ext, '代他人投诉', 'proxy_other');
    await kh.say(ext, d.principal);
  } else {
    await kh.say(ext, '本人', 'proxy_self');
  }
  const replies = await kh.say(ext, '确认提交', 'confirm_submit');
  const m = /TS\d{8}-\d{4}/.exec(replies.join('\n'));
  if (!m) throw new Error(`no case number in ${JSON.stringify(replies)}`);
  return m[0];
}
