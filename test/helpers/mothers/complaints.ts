import { DataSource } from 'typeorm';
import { Complaint, ComplaintEvent, ComplaintNotice, KfConversation, KfInboundMessage, KfSyncCursor, OutboxMessage } from '../../../entities';
import type { DeliveredMessage, KfSentMessage } from '../../../src/sandbox';
import { createApiKey } from '../../../src/http/auth';
import { createKfWorker, KfWorker } from '../../../src/complaints';
import { Harness, startHarness } from '../system';
import { DirectoryMother, UnitSpec } from './directory';

/** The county's units a citizen may name; each has a liaison, deputy A and deputy B. */
function unit(code: string, name: string, prefix: string): UnitSpec {
  return {
    code,
    name,
    staff: [
      { userid: `${prefix}.liaison`, name: `${prefix}联络员`, role: 'liaison', mobile: '13800001111' },
      { userid: `${prefix}.a`, name: `${prefix}代办A`, role: 'deputy', ab: 'A' },
      { userid: `${prefix}.b`, name: `${prefix}代办B`, role: 'deputy', ab: 'B' },
    ],
  };
}

export const AgencyUnits = {
  county(): UnitSpec[] {
    return [
      unit('HRSS', '县人力资源和社会保障局', 'hrss'),
      unit('PSB', '县公安局', 'psb'),
      unit('PSB-TRAFFIC', '县公安局交通警察大队', 'traffic'),
      unit('MSA', '县市场监督管理局', 'msa'),
      unit('CIVIL', '县民政局', 'civil'),
      { code: 'NOLIAISON', name: '县档案馆', staff: [] },
      { code: 'OFFICE', name: '联席会议办公室', isOffice: true, staff: [{ userid: 'office.duty', name: '办公室值班', role: 'member' }] },
    ];
  },
};

export interface ComplaintBody {
  channel: string;
  ground: string;
  agencyCode?: string | null;
  agencyName?: string | null;
  facts: string;
  request: string;
  name: string;
  phone: string;
  isProxy?: boolean;
  principalName?: string | null;
  receivedAt?: string;
  receivedBy?: string;
}

/** Object mother for complaints registered by staff (Art. 5 channels other than the chat). */
export const ComplaintMother = {
  hotline(over: Partial<ComplaintBody> = {}): ComplaintBody {
    return {
      channel: 'hotline_12345',
      ground: 'still_requires_certificate',
      agencyCode: 'HRSS',
      facts: '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明，清单上写明该证明已免提交。',
      request: '希望不再要求提供居住证明，尽快办理社保转移。',
      name: '张小三',
      phone: '13812345678',
      receivedBy: '12345热线中心',
      ...over,
    };
  },
  letter(over: Partial<ComplaintBody> = {}): ComplaintBody {
    return ComplaintMother.hotline({ channel: 'letter', receivedBy: '审批服务窗口', phone: '0533-1234567', name: '李四', facts: '公安局户籍窗口办理户口迁移时要求提供无犯罪记录证明，多次往返仍未办成。', agencyCode: 'PSB', ...over });
  },
  /** Facts that read as the same matter as hotline(), in other words. */
  sameFactsAgain: '11月20日在政务大厅办社保转移时，窗口要求去村里开具居住证明，清单写明该证明已经免提交。',
  otherFacts: '办理营业执照变更时被要求提供房屋产权证明复印件，并要求加盖村委会公章。',
};

/** JSON over HTTP to the real server. */
export class ComplaintApi {
  constructor(
    readonly base: string,
    readonly key: string,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers; raw: ArrayBuffer }> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await res.arrayBuffer();
    const text = Buffer.from(raw).toString('utf8');
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, raw };
  }
  post(path: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.call('POST', path, body, headers);
  }
  get(path: string) {
    return this.call('GET', path);
  }
}

/** What a kf message says, as one string (text content, or menu head + items + tail). */
export function kfContent(m: KfSentMessage): string {
  if (m.msgtype === 'text') return String(m.payload.content ?? '');
  if (m.msgtype === 'msgmenu') {
    const items = (m.payload.list ?? []).map((i: any) => `[${i.click?.id}:${i.click?.content}]`).join(' ');
    return `${m.payload.head_content ?? ''}\n${items}\n${m.payload.tail_content ?? ''}`;
  }
  return JSON.stringify(m.payload);
}

export interface KfHarness {
  h: Harness;
  worker: KfWorker;
  office: ComplaintApi;
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
  unitKey(unitCode: string): Promise<ComplaintApi>;
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
    office: new ComplaintApi(h.sys.url, ''),
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
      return new ComplaintApi(h.sys.url, await createApiKey(h.sys.dataSource, `unit ${unitCode}`, unitCode, h.clock.now));
    },
    async reset() {
      await h.reset();
      h.clock.set(opts.start ?? '2026-11-26T09:00:00+08:00');
      await DirectoryMother.seed(h.sys.dataSource, units);
      kh.office = new ComplaintApi(h.sys.url, await createApiKey(h.sys.dataSource, 'office', null, h.clock.now));
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

export const KfTables = { KfConversation, KfInboundMessage, KfSyncCursor };

export interface ChatDraft {
  ground: number;
  agency: string;
  facts: string;
  request: string;
  name: string;
  phone: string;
  principal?: string;
}

export const ChatMother = {
  draft(over: Partial<ChatDraft> = {}): ChatDraft {
    return {
      ground: 1,
      agency: '人社局',
      facts: '11月20日在政务服务大厅办理社保转移，窗口要求到村里开具居住证明。',
      request: '希望不再要求提供居住证明，尽快办理。',
      name: '张小三',
      phone: '13812345678',
      ...over,
    };
  },
};

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
    await kh.say(ext, '同上');
  } else {
    await kh.say(ext, '本人', 'proxy_self');
  }
  const replies = await kh.say(ext, '确认提交', 'confirm_submit');
  // The new number follows "编号："; a duplicate's reply names the case it was merged into first.
  const m = /编号：(TS\d{8}-\d{4})/.exec(replies.join('\n'));
  if (!m) throw new Error(`no case number in ${JSON.stringify(replies)}`);
  return m[1];
}
