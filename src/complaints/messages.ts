/**
 * Every citizen-facing sentence of the complaint conversation, and the WeCom
 * kf/send_msg payload shapes they travel in (WECOM.md section 6).
 * Limits enforced by fitReply: text.content <= 2048 bytes; msgmenu head/tail <= 1024
 * bytes, <= 10 items, click.id <= 64 bytes, click.content <= 128 bytes.
 */
import type { ComplaintDraft, ExemptionItem } from './flow/types';
import type { GroundCode } from './model';
import { clip, truncateUtf8, utf8Bytes } from './validate';

export interface TextReply {
  msgtype: 'text';
  text: { content: string };
}

export interface MenuClickItem {
  type: 'click';
  click: { id: string; content: string };
}

export interface MenuReply {
  msgtype: 'msgmenu';
  msgmenu: { head_content: string; list: MenuClickItem[]; tail_content: string };
}

export type Reply = TextReply | MenuReply;

export const LIMITS = {
  textBytes: 2048,
  headBytes: 1024,
  tailBytes: 1024,
  menuItems: 10,
  idBytes: 64,
  itemBytes: 128,
} as const;

/** Menu ids are stable: old menus stay tappable in the chat history. */
export const MENU = {
  complain: 'menu_complain',
  status: 'menu_status',
  exemption: 'menu_exemption',
  human: 'menu_human',
  parkContinue: 'park_continue',
  parkRestart: 'park_restart',
  parkCancel: 'park_cancel',
  proxySelf: 'proxy_self',
  proxyOther: 'proxy_other',
  confirmSubmit: 'confirm_submit',
  confirmEdit: 'confirm_edit',
  confirmCancel: 'confirm_cancel',
  agencyNone: 'agency_none',
  exemptComplain: 'exempt_complain',
  navBack: 'nav_back',
  navRestart: 'nav_restart',
  navCancel: 'nav_cancel',
} as const;

export const groundMenuId = (i: number): string => `ground_${i + 1}`;
export const agencyPickMenuId = (i: number): string => `agency_pick_${i + 1}`;
export const EDIT_FIELDS = ['ground', 'agency', 'facts', 'request', 'name', 'phone', 'proxy', 'certificate'] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
export const editMenuId = (f: EditField): string => `edit_${f}`;
export const EDIT_DONE_ID = 'edit_done';

// ---------------------------------------------------------------- labels

export const GROUND_LABELS: Record<GroundCode, string> = {
  still_requires_certificate: '仍要求提供证明（直接或变相）',
  ignores_exemption_list: '未按清单执行免提交',
  verification_late: '未按时限核验',
  refuses_certificate_outside_county: '拒绝出具县外所需证明',
  other: '其他',
};

export const EDIT_LABELS: Record<EditField, string> = {
  ground: '投诉事由',
  agency: '被投诉单位',
  facts: '事情经过',
  request: '您的诉求',
  name: '姓名',
  phone: '联系电话',
  proxy: '本人或代他人投诉',
  certificate: '要求提供的证明',
};

export const LABEL = {
  complain: '投诉举报',
  status: '查询进度',
  exemption: '查询是否需要证明',
  human: '人工服务',
  resumeDraft: '继续填写投诉',
  parkContinue: '继续',
  parkRestart: '重来',
  parkCancel: '取消',
  proxySelf: '本人',
  proxyOther: '代他人投诉',
  confirmSubmit: '确认提交',
  confirmEdit: '修改',
  confirmCancel: '取消',
  agencyNone: '都不是，按我输入的名称记录',
  editDone: '不改了，返回核对',
  exemptComplain: '仍被要求提供，我要投诉',
  exemptAgain: '查询其他证明',
  exemptRetry: '换个说法再查',
};

/** Words a citizen may type instead of tapping; compared after normalisation. */
export const WORDS = {
  cancel: ['取消', '取消投诉', '不投诉了', '退出'],
  restart: ['重来', '重新开始', '重新填写', '从头开始'],
  back: ['上一步', '返回上一步', '上一个', '返回'],
  continue: ['继续', '继续填写', '继续填写投诉', '接着填'],
  keep: ['不变', '保持不变', '不用改'],
  complain: ['投诉举报', '投诉', '举报', '我要投诉', '我要举报'],
  status: ['查询进度', '查进度', '进度', '投诉进度', '查询投诉进度'],
  exemption: ['查询是否需要证明', '是否需要证明', '需要证明吗', '查证明', '查询证明', '免提交', '免提交清单'],
  human: ['人工服务', '人工', '转人工', '人工客服', '客服'],
  menu: ['菜单', '主菜单', '帮助', '你好', '您好', '开始', 'hi', 'hello'],
  proxySelf: ['本人', '我本人', '自己', '本人投诉', '是本人'],
  proxyOther: ['代他人投诉', '代他人', '代投诉', '代别人', '帮别人', '代理', '他人'],
  confirmSubmit: ['确认提交', '确认', '提交', '对', '正确', '没问题'],
  confirmEdit: ['修改', '改', '要修改'],
  agencyNone: ['都不是', '都不是按我输入的名称记录', '不是'],
  editDone: ['不改了', '返回核对', '不改了返回核对'],
  caseNumberPrefix: ['投诉编号', '编号'],
};

/** Typed keywords for the five grounds (Art. 4), by position. */
export const GROUND_KEYWORDS: string[][] = [
  ['变相', '仍要求', '要求提供', '还要证明', '索要'],
  ['清单', '免提交'],
  ['时限', '按时', '超时', '核验', '核查'],
  ['县外', '出具'],
  ['其他', '其它'],
];

// ---------------------------------------------------------------- sentences

const NAV = '（回复“上一步”返回，“重来”重新填写，“取消”退出）';

export const T = {
  greeting: '您好，这里是“无证明城市”服务窗口。',
  welcomeHead: '请问您需要办理什么？',
  welcomeConfused: '抱歉，没能看懂您的消息。',
  welcomeTail: '点击下方选项，或直接回复文字，如“投诉举报”。',
  welcomeAgain: '还需要办理其他事项吗？',

  questions: {
    ground: '第1步（共7步）：请问您要投诉的是哪种情况？',
    agency: '第2步（共7步）：请问您要投诉哪个单位？请输入单位名称。',
    facts: '第3步（共7步）：请简要说说事情经过：什么时间、在哪里办什么事、对方要求您提供了什么。（1000字以内）',
    request: '第4步（共7步）：请问您希望怎样处理？（500字以内）',
    name: '第5步（共7步）：请问您的姓名？单位投诉请填写单位名称。',
    phone: '第6步（共7步）：请留下您的联系电话，方便工作人员联系您。',
    proxy: '第7步（共7步）：请问您是本人投诉，还是代他人投诉？',
    principal: '请问您代谁投诉？请输入当事人的姓名和与您的关系。',
    principal_phone: '请留下当事人的联系电话，方便工作人员向本人核实；回复“同上”表示用您的电话。',
    certificate: '请问对方要求您提供的是什么证明？不清楚的话回复“不清楚”。',
    facts_rest: '',
    agency_pick: '您是指：',
    confirm: '以上信息是否正确？确认后将提交给工作人员登记处理。',
    edit_pick: '请问要修改哪一项？',
  },
  examples: {
    ground: '请点击下方选项，也可以回复序号1-5。',
    agency: '例如：县人力资源和社会保障局、县公安局。',
    facts: '例如：11月20日我在政务服务大厅办理社保转移，窗口要求我到村里开居住证明。',
    request: '例如：希望不再要求我提供这个证明，尽快为我办理。',
    name: '例如：张三',
    phone: '例如：13812345678 或 0533-1234567',
    proxy: '请点击下方选项。',
    principal: '例如：王秀英，母亲',
    principal_phone: '例如：13812345678 或 0533-1234567',
    certificate: '例如：收入证明、居住证明、无犯罪记录证明。',
    facts_rest: '',
    agency_pick: '请点击下方选项，也可以回复序号，或直接输入其他单位名称。',
    confirm: '请点击下方选项。',
    edit_pick: '请点击下方选项，也可以回复序号1-8；要补充事情经过，直接回复“补充：……”。',
  },
  nav: NAV,

  problems: {
    empty: '没有收到内容，请再发一次。',
    binary: '您发送的内容里有无法识别的字符，请重新用文字输入。',
    emoji_only: '暂时看不懂表情，请用文字回复。',
    non_text: '暂时只能处理文字消息，请用文字回复。',
    stale_menu: '这个选项已经失效了，请回答当前的问题。',
    choice: '请从下面的选项中选择。',
    punctuation_only: '只收到了符号，请用文字回复。',
    phone_letters: '电话号码里只能有数字，请重新输入。',
    phone_invalid: '电话号码的格式不对，请重新输入。手机号是11位，固定电话请带区号。',
    name_digits: '请输入姓名，不要填电话号码或编号。',
    in_draft: '您正在填写投诉。如需办理其他事项，请先回复“取消”。',
  },
  tooLong: (max: number, length: number): string =>
    `内容太长了（${length}字），请精简到${max}字以内再发送。`,
  /** Facts question when the ground is Art. 4 (4): nothing was demanded, a certificate was refused. */
  factsRefused: '第3步（共7步）：请简要说说事情经过：什么时间、哪个单位拒绝为您开具什么证明、这个证明要拿到县外哪里用。（1000字以内）',
  factsRefusedExample: '例如：11月20日我到派出所开亲属关系证明，要拿到外省办理继承，窗口说不再开具。',
  prefilled: (fields: string[]): string => `已从您的消息中记下：${fields.join('，')}。最后核对时可以修改。`,
  prefillFacts: '事情经过',
  prefillName: (v: string): string => `姓名 ${v}`,
  prefillPhone: (v: string): string => `电话 ${v}`,
  prefillAgency: (v: string): string => `被投诉单位 ${v}`,
  prefillCertificate: (v: string): string => `要求提供的证明 ${v}`,
  prefillProxy: (rel: string): string => `代${rel}投诉`,
  prefillGround: (label: string): string => `投诉事由 ${label}`,
  agencyViaAlias: (typed: string, name: string): string => `“${typed}”由${name}负责，已记为被投诉单位：${name}。（如果不对，请回复“上一步”重新填写）`,
  agencyUnknownKept: (typed: string): string =>
    `单位名录中没有找到“${typed}”，已按您输入的名称记录。提交后联席会议办公室会确认由哪个单位办理。`,
  phoneWhy: '留电话是为了让工作人员核实情况、告诉您办理结果，不会公开。',
  phoneIdNumber: '您输入的像是身份证号，这里不需要身份证号。请输入手机号（11位）或带区号的固定电话。',
  principalOf: (rel: string): string => `请问当事人（您的${rel}）叫什么名字？`,
  principalNeedsName: '请写上当事人的姓名，例如：王秀英，母亲。',
  sameAsMine: ['同上', '同一个', '一样', '用我的', '我的电话', '就是我的'],
  unknownCert: ['不清楚', '不知道', '不记得', '没说', '不确定'],
  certificateNone: '（未说明）',
  longFactsKept: (kept: number, rest: number): string =>
    `您写的内容较长，已保留前${kept}字作为事情经过。剩下的${rest}字要作为第二部分一并提交吗？`,
  longFactsRestKept: '好的，剩下的内容已作为第二部分保留。',
  longFactsRestDropped: '好的，只保留第一部分。',
  factsSecondPart: '【第二部分】',
  supplementAdded: '已把您补充的内容加到事情经过后面。',
  supplementMark: '【补充】',
  registeredMerged: (n: string, original: string): string =>
    `您反映的问题与投诉${original}相同，已合并到${original}一并办理，办理结果会一起通知您。本次登记编号：${n}。`,
  tooShort: (min: number): string => `内容太简短了，请至少写${min}个字。`,
  factsTooShort: '内容太简短了，请写清楚什么时间、在哪里、遇到了什么情况。',

  groundChosen: (label: string): string => `已选择：${label}。`,
  groundPreset: (label: string): string => `好的，投诉事由已为您选择：${label}。`,
  agencyMatched: (name: string): string => `被投诉单位：${name}。（如果不对，请回复“上一步”重新填写）`,
  agencyPicked: (name: string): string => `已选择：${name}。`,
  agencyAsTyped: (text: string): string => `单位名录中没有找到“${text}”，已按您输入的名称记录。`,
  agencyKeptAsTyped: (text: string): string => `已按您输入的名称记录：${text}。`,
  previousText: (value: string): string => `您之前填写的是：${value}（回复“不变”可保留）`,
  previousChoice: (label: string): string => `您之前选择的是：${label}`,
  backFirst: '这已经是第一个问题了。',
  back: '好的，返回上一步。',
  restart: '好的，我们重新开始填写。',
  resumed: '好的，我们接着填写。',
  cancelled: '已取消本次投诉，您填写的内容已删除。',
  nothingToCancel: '当前没有正在办理的事项。',

  parkHead: (stepNo: number): string =>
    `您有一份还没提交的投诉（已填写到第${stepNo}步），已为您保存。请问要继续填写吗？`,
  parkTail: '草稿保存48小时，超时将自动删除。',
  expired: '您之前未提交的投诉超过48小时没有继续填写，已自动删除。',

  submitting: '正在提交您的投诉，请稍候。',
  submitStale: '您上次的提交没有完成，填写的内容仍然保留。请核对后重新点击“确认提交”。',
  submitFailed: '抱歉，投诉暂时没有提交成功，您填写的内容已保留。请稍后点击“确认提交”重试，或回复“人工服务”。',
  registered: (n: string): string =>
    [
      `您的投诉已登记，编号：${n}。`,
      '接下来：',
      '1. 工作人员会尽快审核是否受理。内容不具体无法核实，或应通过诉讼、仲裁、复议解决的，不予受理，并会告诉您原因。',
      '2. 受理后5个工作日内办结；情况复杂的可延期一次，最多再延5个工作日。',
      '3. 办理结果会在这里通知您。',
      `查询进度请回复：查询进度 ${n}`,
    ].join('\n'),

  summaryTitle: '请核对您的投诉信息：',
  summaryLines: (d: ComplaintDraft, groundLabel: string): string[] => [
    `1. 投诉事由：${groundLabel}`,
    `2. 被投诉单位：${clip(d.agencyText ?? '', 60)}`,
    `3. 事情经过：${clip(d.facts ?? '', 180)}`,
    `4. 您的诉求：${clip(d.request ?? '', 100)}`,
    `5. 姓名：${clip(d.name ?? '', 30)}`,
    `6. 联系电话：${d.phone ?? ''}`,
    d.proxy?.isProxy
      ? `7. 代他人投诉，当事人：${clip(d.proxy.principalName ?? '', 30)}${d.proxy.relationship ? `（${d.proxy.relationship}）` : ''}${d.proxy.principalPhone ? `，电话：${d.proxy.principalPhone}` : ''}`
      : '7. 本人投诉',
    `8. 要求提供的证明：${d.certificate ? clip(d.certificate, 40) : '（未说明）'}`,
  ],
  summaryClipped: '（内容较长，这里只显示开头，提交时会完整保留）',

  statusAsk: '请输入投诉编号，例如：TS20261126-0003。不记得编号的话，回复“我的投诉”查看您的全部投诉。',
  casesHead: '您的投诉：',
  caseLine: (i: number, c: { number: string; agencyName: string; statusText: string; due?: string }): string =>
    `${i}. ${c.number}　${clip(c.agencyName, 20)}　${c.statusText}${c.due ? `　办理期限：${c.due}` : ''}`,
  casesTail: '查看某一件的详情，请回复编号，例如：查询进度 TS20261126-0003。',
  casesNone: '没有查到您在这里提交的投诉。如果是通过电话、窗口等其他方式投诉的，请向受理单位查询，或回复“人工服务”。',
  caseMessageAdded: (n: string): string => `已把您的消息记入投诉${n}，办理单位和联席会议办公室都能看到。`,
  dissatisfiedRecorded: (n: string): string =>
    `已记录您对投诉${n}办理结果的不满意意见，并转给联席会议办公室。办公室会复核，需要时重新办理，并在这里告诉您。`,
  statusInvalid: '投诉编号的格式不对：编号以TS开头，后面是8位日期和4位序号，例如：TS20261126-0003。请重新输入。',
  statusFound: (n: string, statusText: string, summary?: string): string =>
    [`投诉编号：${n}`, `当前状态：${statusText}`, ...(summary ? [`办理情况：${clip(summary, 400)}`] : [])].join('\n'),
  statusLabels: {
    registered: '已登记，正在审核是否受理',
    accepted: '已受理，正在办理（受理后5个工作日内办结）',
    rejected: '不予受理',
    extended: '已延期办理（延期最多5个工作日）',
    resolved: '已办结',
    terminated: '已终止办理',
  } as Record<string, string>,
  statusUnknown: '正在处理中',
  // One sentence for "no such case" and "not yours": it must not reveal which one it is.
  statusNotFound: (n: string): string =>
    `未查到您名下编号为${n}的投诉。请核对编号；如果是通过电话、窗口等其他方式投诉的，请向受理单位查询，或回复“人工服务”。`,
  queryFailed: '抱歉，查询暂时出了点问题，请稍后再试。',

  exemptionAsk: '请问您想查询哪项证明，或要办理什么事？例如：出生医学证明、无犯罪记录证明、户口迁移。',
  exemptionHead: '为您查到以下结果：',
  exemptionLine: (i: number, item: ExemptionItem, methodText: string): string =>
    `${i}. 办理“${clip(item.serviceItem, 30)}”所需的“${clip(item.certificate, 30)}”：${methodText}`,
  exemptionMethods: {
    sharing: '已免提交，由部门通过数据共享获取。',
    commitment: '已免提交，实行告知承诺，您签署承诺书即可。',
    verification: '已免提交，由部门之间核验。',
    other: '已免提交，按清单规定的方式办理。',
  } as Record<string, string>,
  exemptionVerifiedBy: (unit: string): string => `已免提交，由${clip(unit, 30)}协助核验。`,
  exemptionMethodUnknown: '请向办理单位咨询。',
  exemptionMore: (total: number): string => `共查到${total}条，这里只显示前5条；输入更具体的名称可以查得更准。`,
  exemptionOffer: '以上标明“已免提交”的证明，办事单位不能再要求您提供。如果仍被要求提供，您可以投诉。',
  exemptionNone: (q: string): string =>
    `没有查到与“${clip(q, 30)}”有关的免提交证明。可能名称不同，可以换个说法再查，也可以转人工服务咨询。`,
  exemptionNoList: '免提交清单尚未发布，查不到不代表需要提供。如果办事时被要求提供证明，您可以投诉。',
  exemptionAgain: '还可以继续输入其他证明或事项的名称查询；回复“取消”结束查询。',
  exemptionPrefill: (cert: string): string => `好的，已为您填好：投诉事由“未按清单执行免提交”，要求提供的证明“${clip(cert, 30)}”。`,

  handoff: '已为您转接人工服务，工作人员会在工作时间尽快在这里回复您，请稍候。',
  handoffOffice: (hours?: string, phone?: string): string =>
    [
      '已为您转接人工服务。您接下来发的消息会转给联席会议办公室的工作人员，他们会在工作时间在这里回复您。',
      hours ? `办公时间：${hours}。` : '',
      phone ? `着急的话可以拨打办公室电话：${phone}。` : '',
    ].join(''),
  handoffNobody: (hours?: string, phone?: string): string =>
    [
      '抱歉，这里暂时没有工作人员在线接待。',
      phone ? `您可以在办公时间${hours ? `（${hours}）` : ''}拨打联席会议办公室电话${phone}，` : '您可以',
      '拨打12345政务服务热线，或在这里继续办理投诉、查询。',
    ].join(''),
  forwarded: '已转给工作人员。',
  handoffDraftKept: '您还没填完的投诉已保存，回复“继续”可以接着填写。',
  handoffFailed: '抱歉，暂时无法转接人工服务，请稍后再试，或拨打12345政务服务热线。',
};

// ---------------------------------------------------------------- builders

export function text(...lines: Array<string | undefined | false>): TextReply {
  return { msgtype: 'text', text: { content: joinLines(lines) } };
}

export function menu(
  head: Array<string | undefined | false>,
  items: Array<[id: string, label: string]>,
  tail = '',
): MenuReply {
  return {
    msgtype: 'msgmenu',
    msgmenu: {
      head_content: joinLines(head),
      list: items.map(([id, content]) => ({ type: 'click', click: { id, content } })),
      tail_content: tail,
    },
  };
}

export function welcome(head: Array<string | undefined | false>, opts: { resumable?: boolean } = {}): MenuReply {
  const items: Array<[string, string]> = [
    [MENU.complain, LABEL.complain],
    [MENU.status, LABEL.status],
    [MENU.exemption, LABEL.exemption],
    [MENU.human, LABEL.human],
  ];
  if (opts.resumable) items.unshift([MENU.parkContinue, LABEL.resumeDraft]);
  return menu([...head, T.welcomeHead], items, T.welcomeTail);
}

function joinLines(lines: Array<string | undefined | false>): string {
  return lines.filter((l): l is string => typeof l === 'string' && l.length > 0).join('\n');
}

/** Adds notices in front of the first reply, so they cost no extra message (5 per 48 h). */
export function prepend(replies: Reply[], notices: string[]): Reply[] {
  if (notices.length === 0) return replies;
  if (replies.length === 0) return [text(...notices)];
  const [first, ...rest] = replies;
  const pre = notices.join('\n');
  const merged: Reply =
    first.msgtype === 'text'
      ? text(pre, first.text.content)
      : { msgtype: 'msgmenu', msgmenu: { ...first.msgmenu, head_content: joinLines([pre, first.msgmenu.head_content]) } };
  return [merged, ...rest];
}

/** Last line of defence for the WeCom limits; the texts above are written to fit anyway. */
export function fitReply(r: Reply): Reply {
  if (r.msgtype === 'text') {
    return { msgtype: 'text', text: { content: truncateUtf8(r.text.content, LIMITS.textBytes) } };
  }
  return {
    msgtype: 'msgmenu',
    msgmenu: {
      head_content: truncateUtf8(r.msgmenu.head_content, LIMITS.headBytes),
      list: r.msgmenu.list.slice(0, LIMITS.menuItems).map((i) => ({
        type: 'click',
        click: {
          id: utf8Bytes(i.click.id) <= LIMITS.idBytes ? i.click.id : i.click.id.slice(0, LIMITS.idBytes),
          content: truncateUtf8(i.click.content, LIMITS.itemBytes),
        },
      })),
      tail_content: truncateUtf8(r.msgmenu.tail_content, LIMITS.tailBytes),
    },
  };
}

/** What the office group (and an agency) is told about a citizen's chat. */
export const CITIZEN_OFFICE = {
  agencyUnmatched: (n: string, name: string): string =>
    `投诉${n}的被投诉单位“${clip(name, 40)}”不在单位名录中，请在工作台指定办理单位（POST /api/v1/complaints/{id}/assign）。`,
  forwarded: (who: string, content: string): string => `微信客服市民${who}（人工服务）：${clip(content, 500)}`,
  caseMessage: (n: string, content: string): string => `投诉${n}的投诉人补充：${clip(content, 500)}`,
  dissatisfied: (n: string, content: string): string => `投诉${n}的投诉人对办理结果不满意：${clip(content, 500)}。请复核，需要时重新办理。`,
};
