/** Chinese text of the joint meeting (SPEC 5, 联席会议制度). */
import type { MeetingKind } from '../../entities/JointMeeting';

/** The liaison meeting's title is the joint meeting's with this suffix. */
export const LIAISON_SUFFIX = '（联络员会议）';

export const KIND_LABEL: Record<MeetingKind, string> = { regular: '联席会议例会', liaison: '联络员会议' };

export const CARD = {
  source: '联席会议',
  reminderTitle: (title: string) => `会议提醒：${title}`,
  reminderDesc: (kind: MeetingKind) => `${KIND_LABEL[kind]}将于一周内召开`,
  reminderAgenda: '如有议题，请在本应用中回复「议题：内容」，由联席会议办公室汇总报召集人。',
  time: '时间',
  place: '地点',
  kind: '类型',
  agenda: '已收议题',
  noPlace: '另行通知',
  minutesTitle: (title: string) => `会议纪要：${title}`,
  minutesDesc: '请认真落实议定事项，并按要求报送工作情况',
  ack: '确认收到',
  acked: '已确认收到',
  ackedBy: (name: string) => `本单位已由${name}确认`,
  agendaTitle: '议题待审定',
  agendaDesc: (unit: string) => `${unit}提出议题，请审定是否列入会议`,
  agendaMeeting: '拟提交会议',
  agendaNext: '下次联席会议',
  approve: '同意',
  decline: '不同意',
  approved: '已同意',
  declined: '已不同意',
  agendaDoneBy: (name: string, what: string) => `已由${name}${what}`,
  progressTitle: '议定事项落实进展',
  progressDesc: (title: string) => `「${title}」议定事项，请报送落实进展`,
  progressDue: '完成时限',
  progressNoDue: '未定',
  progressButton: '报送进展',
  progressAsked: '已在对话中报送',
} as const;

/** Agenda item states (SPEC 5). */
export const AGENDA_STATUS_LABEL = { approved: '已列入', proposed: '待召集人审定', declined: '未列入' } as const;

export const TEXT = {
  minutesBody: (title: string, part: number, parts: number, body: string) => `【会议纪要】${title}${parts > 1 ? `（${part}/${parts}）` : ''}\n${body}`,
  agendaRecorded: (title: string, when: string) => `已收到你提出的议题，将提交「${title}」（${when}）。`,
  agendaForNext: '已收到你提出的议题，将列入下次联席会议。',
  agendaEmpty: '请在「议题：」后写明议题内容。',
  ackNotMember: '你所在单位不在本次会议的成员单位中，无需确认。',
  agendaNotMember: '你所在单位不是联席会议成员单位，不能提出议题。',
  agendaForApproval: (when: string) => `已收到你提出的议题，待召集人审定后列入会议${when}。`,
  agendaDecided: (text: string, approved: boolean) => `你提出的议题「${text.slice(0, 40)}」${approved ? '已经召集人同意列入会议' : '经召集人审定，未列入会议'}。`,
  agendaNotConvenor: '只有召集人可以审定议题。',
  agendaAlready: '该议题已审定。',
  askProgress: (text: string) => `请直接回复以下议定事项的落实进展：\n${text.slice(0, 200)}\n回复「取消」放弃。`,
  progressRecorded: '已收到落实进展，已转联席会议办公室。',
  progressNotYours: '该议定事项不由你所在单位负责。',
  progressReminder: (title: string, text: string, due: string) => `【联席会议】请报送「${title}」议定事项的落实进展：${text.slice(0, 200)}（完成时限：${due}）。可在本应用卡片上点「报送进展」后直接回复。`,
  ackRecorded: (title: string) => `已确认收到「${title}」的会议纪要。请按要求向联席会议办公室报送落实情况。`,
  overdue: (months: number, last: string | null) =>
    last ? `【联席会议提醒】距上次联席会议例会（${last}）已满${months}个月，请安排召开（联席会议制度：原则上每半年召开一次例会）。` : `【联席会议提醒】已满${months}个月未召开联席会议例会，请安排召开（原则上每半年一次）。`,
} as const;

/** Chat words: "议题：内容" or "提议议题：内容". */
export const AGENDA_RE = /^\s*(?:提议)?议题\s*[:：]\s*([\s\S]*)$/;
