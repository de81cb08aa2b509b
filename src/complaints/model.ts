/**
 * Names and numbers of 投诉举报办法 (SPEC.md section 3) as the code uses them.
 */
import type { ComplaintStatus } from '../../entities/Complaint';

export type { ComplaintStatus };

/** Character limits per answer: min counts letters/digits, max counts all characters. */
export const TEXT_LIMITS = {
  agency: { min: 2, max: 100 },
  facts: { min: 5, max: 1000 },
  request: { min: 2, max: 500 },
  name: { min: 2, max: 30 },
  principal: { min: 2, max: 30 },
  exemption: { min: 2, max: 50 },
} as const;

/** Art. 4 (1)-(5), in the article's order; menu ids ground_1..ground_5 follow it. */
export const GROUND_CODES = [
  'still_requires_certificate',
  'ignores_exemption_list',
  'verification_late',
  'refuses_certificate_outside_county',
  'other',
] as const;
export type GroundCode = (typeof GROUND_CODES)[number];

/** A complaint's case number: TS + office-local day + sequence (see nextComplaintNumber). */
export const CASE_NUMBER = /^TS\d{8}-\d{4}$/;


/** Art. 5 channels; `kf` is WeChat Customer Service (the chat), the others are entered by staff. */
export const CHANNELS = [
  'kf',
  'hotline_12345',
  'letter',
  'fax',
  'sms',
  'email',
  'online',
  'window',
  'ministry_platform',
  'enforcement_supervision',
] as const;
export type Channel = (typeof CHANNELS)[number];
/** Channels staff register through POST /api/v1/complaints. */
export const STAFF_CHANNELS = CHANNELS.filter((c) => c !== 'kf') as Array<Exclude<Channel, 'kf'>>;

/** Art. 8: grounds for not accepting. */
export const REJECTION_GROUNDS = ['too_vague', 'malicious_repeat', 'litigation_arbitration_review', 'other'] as const;
export type RejectionGround = (typeof REJECTION_GROUNDS)[number];

/** Art. 11: grounds for terminating. */
export const TERMINATION_GROUNDS = ['withdrawn', 'arbitration_review_litigation_started', 'other'] as const;
export type TerminationGround = (typeof TERMINATION_GROUNDS)[number];

export const STATUSES: readonly ComplaintStatus[] = ['registered', 'accepted', 'rejected', 'extended', 'resolved', 'terminated'];
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['registered', 'accepted', 'extended'];
export const FINAL_STATUSES: readonly ComplaintStatus[] = ['rejected', 'resolved', 'terminated'];

/** Art. 10: finished within 5 working days of acceptance; one extension of at most 5. */
export const HANDLING_WORKING_DAYS = 5;
export const MAX_EXTENSION_WORKING_DAYS = 5;

/** Art. 9 duplicates: same citizen or phone, same agency, similar facts, within 30 days. */
export const DUPLICATE_WINDOW_DAYS = 30;
export const DUPLICATE_MIN_SIMILARITY = 0.5;

/** Art. 12-13: an agency with this many complaints in one month is flagged. */
export const REPEAT_FLAG_THRESHOLD = 3;

/** WECOM.md section 6: after the customer's last message, 48 h and at most 5 messages. */
export const KF_WINDOW_MS = 48 * 3600_000;
export const KF_WINDOW_MAX = 5;
/** WeCom answers that mean "the window is closed for now" (never retried blindly). */
export const KF_WINDOW_ERRCODES: ReadonlySet<number> = new Set([95001, 95002, 95018]);

/** Outbox ref types written by this module. */
export const REF = {
  notice: 'complaint_notice',
  card: 'complaint_card',
  cardUpdate: 'complaint_card_update',
  text: 'complaint_text',
  reply: 'kf_reply',
  office: 'complaint_office',
} as const;

/** Card button keys are `complaint:<verb>.<id>[.<ground>]` (cards/keys.ts). */
export const CARD_ACTION = 'complaint';
export const CARD_VERBS = ['accept', 'reject', 'rejground', 'extend', 'resolve', 'terminate', 'termground', 'back', 'extgrant', 'extrefuse'] as const;
export type CardVerb = (typeof CARD_VERBS)[number];

export function isFinal(s: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(s);
}

export function isOpen(s: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(s);
}
