/**
 * The card the liaison of the agency complained about receives (投诉举报办法 Art. 7-11):
 * a button_interaction card whose buttons follow the case's state. Pure: complaint + now
 * -> template_card JSON, deterministic task_id, no I/O. Names and phones are masked
 * (the card shows on a lock screen).
 */
import { formatInZone } from '../src/calendar/format';
import { cardKey } from './keys';
import { GROUND_LABELS } from '../src/complaints/messages';
import { CHANNEL_LABELS, REJECTION_BUTTONS, STATUS_LABELS, TERMINATION_BUTTONS } from '../src/complaints/lifecycle-messages';
import { CARD_ACTION, CardVerb, Channel, ComplaintStatus, REJECTION_GROUNDS, TERMINATION_GROUNDS } from '../src/complaints/model';
import { maskPhone } from '../src/complaints/validate';
import { maskFreeText, maskName } from '../src/verification/mask';

export interface ComplaintCardView {
  id: number;
  number: string;
  status: ComplaintStatus;
  ground: string;
  channel: string;
  agencyName: string;
  facts: string;
  request: string;
  complainantName: string;
  complainantPhone: string;
  isProxy: boolean;
  registeredAt: Date;
  dueAt: Date | null;
  extensionDays: number | null;
  /** Times the office reopened the case: each reopening sends a new card. */
  reopenCount?: number;
  /** Times the case moved to another agency: the new agency's card is a new task. */
  reassignCount?: number;
  /** An extension was applied for in this handling period (Art. 10 allows one). */
  extensionApplied?: boolean;
  /** That application still waits for the office. */
  extensionPending?: boolean;
}

/** main: the buttons of the state; pick_reject / pick_terminate: the Art. 8 / Art. 11 grounds. */
export type ComplaintCardStage = 'main' | 'pick_reject' | 'pick_terminate';

export interface ComplaintCardOptions {
  tz: string;
  stage?: ComplaintCardStage;
}

/** Unique per app and stable for the case: id plus registration instant (survives a database reset). */
export function complaintTaskId(c: Pick<ComplaintCardView, 'id' | 'registeredAt' | 'reopenCount' | 'reassignCount'>): string {
  return `cpl${c.id}_${c.registeredAt.getTime().toString(36)}${c.reopenCount ? `_r${c.reopenCount}` : ''}${c.reassignCount ? `_a${c.reassignCount}` : ''}`;
}

/** What greys the card of an agency the case was taken from. */
export const COMPLAINT_REASSIGNED_LABEL = '已转办';

export function complaintButtonKey(verb: CardVerb, id: number, ground?: string): string {
  return cardKey(CARD_ACTION, ground ? `${verb}.${id}.${ground}` : `${verb}.${id}`);
}

/** What greys the buttons once the case has ended. */
export function complaintClosedLabel(status: ComplaintStatus): string {
  return STATUS_LABELS[status];
}

export function clipChars(s: string, n: number): string {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  return chars.length <= n ? chars.join('') : `${chars.slice(0, n - 1).join('')}…`;
}

/** "12月3日 17:30" in the office's zone. */
export function cardTime(tz: string, d: Date): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(formatInZone(tz, d));
  return m ? `${Number(m[1])}月${Number(m[2])}日 ${m[3]}:${m[4]}` : '';
}

type Button = { text: string; style: number; key: string };

function buttons(c: ComplaintCardView, stage: ComplaintCardStage): Button[] {
  if (stage === 'pick_reject') {
    return [
      ...REJECTION_GROUNDS.map((g) => ({ text: REJECTION_BUTTONS[g], style: 2, key: complaintButtonKey('rejground', c.id, g) })),
      { text: '返回', style: 2, key: complaintButtonKey('back', c.id) },
    ];
  }
  if (stage === 'pick_terminate') {
    return [
      ...TERMINATION_GROUNDS.map((g) => ({ text: TERMINATION_BUTTONS[g], style: 2, key: complaintButtonKey('termground', c.id, g) })),
      { text: '返回', style: 2, key: complaintButtonKey('back', c.id) },
    ];
  }
  switch (c.status) {
    case 'registered':
      return [
        { text: '受理', style: 1, key: complaintButtonKey('accept', c.id) },
        { text: '不予受理', style: 2, key: complaintButtonKey('reject', c.id) },
      ];
    case 'accepted':
      return [
        { text: '办结', style: 1, key: complaintButtonKey('resolve', c.id) },
        ...(c.extensionApplied ? [] : [{ text: '申请延期', style: 2, key: complaintButtonKey('extend', c.id) }]),
        { text: '终止办理', style: 2, key: complaintButtonKey('terminate', c.id) },
      ];
    case 'extended':
      return [
        { text: '办结', style: 1, key: complaintButtonKey('resolve', c.id) },
        { text: '终止办理', style: 2, key: complaintButtonKey('terminate', c.id) },
      ];
    default:
      // A closed case shows no action; the sender greys the card with complaintClosedLabel instead.
      return [];
  }
}

function emphasis(c: ComplaintCardView, tz: string, now: Date, stage: ComplaintCardStage): { title: string; desc: string } {
  if (stage === 'pick_reject') return { title: '不予受理', desc: '请选择理由（投诉举报办法第八条）' };
  if (stage === 'pick_terminate') return { title: '终止办理', desc: '请选择情形（投诉举报办法第十一条）' };
  if ((c.status === 'accepted' || c.status === 'extended') && c.dueAt) {
    const overdue = now.getTime() > c.dueAt.getTime();
    return { title: cardTime(tz, c.dueAt), desc: overdue ? '已超过办理期限' : c.status === 'extended' ? '延期后办理期限' : '办理期限（5个工作日）' };
  }
  if (c.status === 'registered') return { title: '待受理', desc: '请审核是否受理' };
  return { title: STATUS_LABELS[c.status], desc: '本件已结束' };
}

export function complaintCard(c: ComplaintCardView, opts: ComplaintCardOptions, now: Date): Record<string, unknown> {
  const stage = opts.stage ?? 'main';
  const groundLabel = GROUND_LABELS[c.ground as keyof typeof GROUND_LABELS] ?? c.ground;
  const who = `${maskName(c.complainantName)}${c.isProxy ? '（代）' : ''}`;
  const card: Record<string, unknown> = {
    card_type: 'button_interaction',
    source: { desc: '投诉举报', desc_color: 1 },
    main_title: { title: `投诉 ${c.number}`, desc: clipChars(groundLabel, 40) },
    emphasis_content: emphasis(c, opts.tz, now, stage),
    // Citizens type phone and ID numbers into their account too: masked like the fields.
    sub_title_text: clipChars(maskFreeText(`经过：${c.facts.trim().replace(/[。；;.，,]+$/u, '')}；诉求：${c.request}`), 150),
    horizontal_content_list: [
      { keyname: '被投诉单位', value: clipChars(c.agencyName, 28) },
      { keyname: '投诉人', value: who },
      { keyname: '联系电话', value: maskPhone(c.complainantPhone) },
      { keyname: '渠道', value: CHANNEL_LABELS[c.channel as Channel] ?? c.channel },
      { keyname: '状态', value: STATUS_LABELS[c.status] + (c.extensionDays ? `（延期${c.extensionDays}个工作日）` : c.extensionPending ? '（延期申请审批中）' : '') },
      { keyname: '登记时间', value: cardTime(opts.tz, c.registeredAt) },
    ],
    task_id: complaintTaskId(c),
    button_list: buttons(c, stage),
  };
  return card;
}
