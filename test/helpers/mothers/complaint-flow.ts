/**
 * Object mothers and a conversation driver for the complaint flow tests.
 * The driver stores the state through JSON (as the runtime's database would) and checks
 * every reply against the WeCom kf/send_msg limits on every step.
 */
import { expect } from 'chai';
import {
  Agency,
  ComplaintDraft,
  ComplaintStage,
  ConversationState,
  emptyState,
  FlowContext,
  FlowInput,
  Reply,
  step,
  StepResult,
} from '../../../src/complaints/flow';
import { LIMITS } from '../../../src/complaints/messages';

export const MINUTE = 60 * 1000;
export const HOUR = 60 * MINUTE;

export const ClockMother = {
  /** 2026-11-26 09:00 in Asia/Shanghai. */
  start: (): Date => new Date('2026-11-26T01:00:00.000Z'),
};

export const AgencyMother = {
  /** A small county directory; 人社局 deliberately has no alias, so matching must infer it. */
  county: (): Agency[] => [
    { code: 'HRSS', name: '县人力资源和社会保障局' },
    { code: 'PSB', name: '县公安局' },
    { code: 'PSB-TRAFFIC', name: '县公安局交通警察大队' },
    { code: 'MSA', name: '县市场监督管理局', aliases: ['市监局'] },
    { code: 'CIVIL', name: '县民政局' },
    { code: 'MED', name: '县医疗保障局', aliases: ['医保局'] },
    { code: 'EDU', name: '县教育和体育局' },
    { code: 'NR', name: '县自然资源局' },
    { code: 'HOUSING', name: '县住房和城乡建设局' },
    { code: 'APPROVAL', name: '县行政审批服务局' },
  ],
  /** n distinct generated units plus the county directory, for timing. */
  many: (n: number): Agency[] => {
    const places = ['南麻', '悦庄', '燕崖', '中庄', '西里', '东里', '张家坡', '石桥', '南鲁山', '鲁村'];
    const kinds = ['便民服务中心', '派出所', '财政所', '司法所', '卫生院', '中心学校', '供电所', '税务分局', '市场监管所', '自然资源所'];
    const out = AgencyMother.county();
    for (let i = 0; out.length < n; i++) {
      const place = places[i % places.length];
      const kind = kinds[Math.floor(i / places.length) % kinds.length];
      out.push({ code: `U${i}`, name: `${place}镇${kind}${Math.floor(i / 100) || ''}` });
    }
    return out;
  },
};

export const ContextMother = {
  county: (agencies: Agency[] = AgencyMother.county()): FlowContext => ({ agencies }),
};

export const DraftMother = {
  /** Every field of a complaint filed by the citizen personally. */
  complete: (overrides: Partial<ComplaintDraft> = {}): ComplaintDraft => ({
    ground: 'still_requires_certificate',
    agencyCode: 'HRSS',
    agencyText: '县人力资源和社会保障局',
    facts: '11月20日在政务服务大厅办理社保转移，窗口要求我回村里开居住证明。',
    request: '希望不再要求这个证明，尽快办理。',
    name: '张三',
    phone: '13812345678',
    proxy: { isProxy: false },
    ...overrides,
  }),
};

const ORDER: ComplaintStage[] = ['ground', 'agency', 'facts', 'request', 'name', 'phone', 'proxy'];

export const StateMother = {
  idle: (now = ClockMother.start()): ConversationState => emptyState(now),

  /**
   * A draft waiting at `stage`, with every earlier question answered as DraftMother does.
   * `updatedAt` is `now` unless given.
   */
  at: (stage: ComplaintStage, now = ClockMother.start(), extra: Partial<ConversationState> = {}): ConversationState => {
    const full = DraftMother.complete();
    const draft: ComplaintDraft = {};
    const history: ComplaintStage[] = [];
    const upto = stage === 'confirm' ? ORDER.length : ORDER.indexOf(stage);
    for (const st of ORDER.slice(0, upto)) {
      history.push(st);
      if (st === 'ground') draft.ground = full.ground;
      if (st === 'agency') Object.assign(draft, { agencyCode: full.agencyCode, agencyText: full.agencyText });
      if (st === 'facts') draft.facts = full.facts;
      if (st === 'request') draft.request = full.request;
      if (st === 'name') draft.name = full.name;
      if (st === 'phone') draft.phone = full.phone;
      if (st === 'proxy') draft.proxy = full.proxy;
    }
    return {
      ...emptyState(now),
      stage,
      draft,
      history,
      draftStartedAt: new Date(now.getTime() - 5 * MINUTE).toISOString(),
      ...extra,
    };
  },
};

/** Text a citizen would see in one reply: text content, or menu head + items + tail. */
export function visible(r: Reply): string {
  return r.msgtype === 'text'
    ? r.text.content
    : [r.msgmenu.head_content, ...r.msgmenu.list.map((i) => i.click.content), r.msgmenu.tail_content].join('\n');
}

export function menuIds(replies: Reply[]): string[] {
  return replies.flatMap((r) => (r.msgtype === 'msgmenu' ? r.msgmenu.list.map((i) => i.click.id) : []));
}

/** Exactly the kf/send_msg payload shapes, within WeCom's limits (WECOM.md section 6). */
export function expectSendable(r: Reply): void {
  const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
  if (r.msgtype === 'text') {
    expect(Object.keys(r).sort()).to.deep.equal(['msgtype', 'text']);
    expect(Object.keys(r.text)).to.deep.equal(['content']);
    expect(r.text.content.length, 'empty text').to.be.greaterThan(0);
    expect(bytes(r.text.content), 'text.content bytes').to.be.at.most(LIMITS.textBytes);
    return;
  }
  expect(Object.keys(r).sort()).to.deep.equal(['msgmenu', 'msgtype']);
  expect(Object.keys(r.msgmenu).sort()).to.deep.equal(['head_content', 'list', 'tail_content']);
  expect(bytes(r.msgmenu.head_content), 'head_content bytes').to.be.at.most(LIMITS.headBytes);
  expect(bytes(r.msgmenu.tail_content), 'tail_content bytes').to.be.at.most(LIMITS.tailBytes);
  expect(r.msgmenu.list.length).to.be.within(1, LIMITS.menuItems);
  for (const item of r.msgmenu.list) {
    expect(item.type).to.equal('click');
    expect(Object.keys(item.click).sort()).to.deep.equal(['content', 'id']);
    expect(bytes(item.click.id)).to.be.within(1, LIMITS.idBytes);
    expect(bytes(item.click.content)).to.be.within(1, LIMITS.itemBytes);
  }
}

/** One citizen's chat: holds the stored state and the clock, and records every reply. */
export class Conversation {
  state: ConversationState | null;
  now: Date;
  last: StepResult = { state: null, replies: [], effects: [] };
  readonly all: Reply[] = [];

  constructor(
    readonly ctx: FlowContext = ContextMother.county(),
    state: ConversationState | null = null,
    now: Date = ClockMother.start(),
  ) {
    this.state = state;
    this.now = now;
  }

  static at(stage: ComplaintStage, extra: Partial<ConversationState> = {}): Conversation {
    const now = ClockMother.start();
    return new Conversation(ContextMother.county(), StateMother.at(stage, now, extra), new Date(now.getTime() + 20_000));
  }

  send(input: FlowInput): StepResult {
    const before = JSON.stringify(this.state);
    const result = step(this.state, input, this.now, this.ctx);
    expect(JSON.stringify(this.state), 'step mutated its input state').to.equal(before);
    result.replies.forEach(expectSendable);
    this.all.push(...result.replies);
    // Through JSON, as the runtime stores it.
    this.state = result.state === null ? null : (JSON.parse(JSON.stringify(result.state)) as ConversationState);
    this.last = result;
    this.now = new Date(this.now.getTime() + 20_000);
    return result;
  }

  say(content: string): StepResult {
    return this.send({ type: 'text', content });
  }

  /** Taps an item of the latest menu; fails when the menu does not offer it. */
  tap(id: string): StepResult {
    const item = this.last.replies
      .flatMap((r) => (r.msgtype === 'msgmenu' ? r.msgmenu.list : []))
      .find((i) => i.click.id === id);
    if (!item) throw new Error(`latest replies offer no menu item ${id}; offered: ${menuIds(this.last.replies).join(', ')}`);
    return this.send({ type: 'text', content: item.click.content, menuId: id });
  }

  wait(ms: number): this {
    this.now = new Date(this.now.getTime() + ms);
    return this;
  }

  get stage(): string | undefined {
    return this.state?.stage;
  }

  /** Everything the citizen saw in the latest turn. */
  get seen(): string {
    return this.last.replies.map(visible).join('\n');
  }
}

/** Answers every question with DraftMother's values, from the welcome up to the summary. */
export function fillUpToConfirm(c: Conversation, draft: ComplaintDraft = DraftMother.complete()): void {
  c.tap('menu_complain');
  c.say('1');
  c.say(draft.agencyText ?? '');
  c.say(draft.facts ?? '');
  c.say(draft.request ?? '');
  c.say(draft.name ?? '');
  c.say(draft.phone ?? '');
  if (draft.proxy?.isProxy) {
    c.tap('proxy_other');
    c.say(draft.proxy.principalName ?? '');
  } else {
    c.tap('proxy_self');
  }
}
