import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';
import { isValidDate } from '../directory/rules';
import { CATEGORIES, METHODS, OTHER_REASON, REASONS } from './rules';
import { CATEGORY_ALIASES, FORM_LABELS, METHOD_LABEL, MSG, REASON_LABEL } from './messages';

export type FormKey = keyof typeof FORM_LABELS;

/** What a filled chat form says; units are still raw text (code or name). */
export interface FormValues {
  entryId?: number;
  serviceItem?: string;
  certificate?: string;
  requesterUnit?: string;
  issuerUnit?: string;
  method?: ExemptionMethod;
  legalBasis?: string;
  defaultCategory?: DeadlineCategory;
  reason?: string;
  causeDate?: string;
  note?: string;
}

const LABEL_TO_KEY: ReadonlyMap<string, FormKey> = new Map(
  (Object.entries(FORM_LABELS) as Array<[FormKey, readonly string[]]>).flatMap(([k, labels]) => labels.map((l) => [l, k] as [string, FormKey])),
);
const MAX: Partial<Record<FormKey, number>> = { serviceItem: 200, certificate: 200, legalBasis: 2000, note: 2000, requesterUnit: 100, issuerUnit: 100 };
const ALLOWED: Readonly<Record<AdjustmentKind, readonly FormKey[]>> = {
  add: ['serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory', 'reason', 'causeDate', 'note'],
  change: ['entryId', 'serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory', 'reason', 'causeDate', 'note'],
  cancel: ['entryId', 'legalBasis', 'reason', 'causeDate', 'note'],
};

/** A template hint left in place ("（单位编码或全称）", "YYYY-MM-DD") counts as empty. */
function clean(v: string): string {
  const t = v.trim();
  if (/^[（(].*[）)]$/.test(t) || /^Y{4}-M{2}-D{2}$/i.test(t)) return '';
  return t;
}

/** 2026-11-20, 2026/11/20, 2026.11.20 or 2026年11月20日 -> 2026-11-20. */
export function normaliseDate(v: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(v.trim());
  if (!m) return null;
  const d = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isValidDate(d) ? d : null;
}

function byLabel<T extends string>(v: string, labels: Readonly<Record<T, string>>, codes: readonly T[]): T | undefined {
  const hit = (Object.entries(labels) as Array<[T, string]>).find(([, l]) => l === v);
  return hit ? hit[0] : codes.find((c) => c === v);
}

/**
 * Reads the "标签：内容" form a member sends in the chat (SPEC 2 Art. 9 fields). Pure; the
 * errors are sentences for the member. Which fields are required is the domain's check,
 * except the ones the form itself cannot do without.
 */
export function parseForm(kind: AdjustmentKind, text: string, opts: { causeDateKnown?: boolean; partial?: boolean } = {}): { values: FormValues; errors: string[]; bad: FormKey[] } {
  const errors: string[] = [];
  const raw = new Map<FormKey, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^：:\s]{1,8})\s*[：:]\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = LABEL_TO_KEY.get(m[1]);
    if (!key) {
      errors.push(MSG.formUnknownLabel(m[1]));
      continue;
    }
    const v = clean(m[2]);
    if (v) raw.set(key, v);
  }
  const values: FormValues = {};
  const bad = new Set<FormKey>();
  const fail = (key: FormKey, message: string) => {
    bad.add(key);
    errors.push(message);
  };
  for (const [key, v] of raw) {
    const label = FORM_LABELS[key][0];
    if (!ALLOWED[kind].includes(key)) continue;
    const max = MAX[key];
    if (max && [...v].length > max) {
      fail(key, MSG.formTooLong(label, max));
      continue;
    }
    switch (key) {
      case 'entryId': {
        const n = /^#?\s*(\d{1,9})$/.exec(v);
        if (n && Number(n[1]) > 0) values.entryId = Number(n[1]);
        else fail(key, MSG.formBadEntryId);
        break;
      }
      case 'method': {
        const mth = byLabel(v, METHOD_LABEL, METHODS);
        if (mth) values.method = mth;
        else fail(key, MSG.formBadMethod);
        break;
      }
      case 'defaultCategory': {
        const c = CATEGORY_ALIASES[v] ?? CATEGORIES.find((x) => x === v);
        if (c) values.defaultCategory = c;
        else fail(key, MSG.formBadCategory);
        break;
      }
      case 'reason': {
        const r = byLabel(v, REASON_LABEL as Record<string, string>, REASONS[kind]);
        if (r && REASONS[kind].includes(r)) values.reason = r;
        else fail(key, MSG.formBadReason(REASONS[kind].map((x) => REASON_LABEL[x]).join('、')));
        break;
      }
      case 'causeDate': {
        const d = normaliseDate(v);
        if (d) values.causeDate = d;
        else fail(key, MSG.formBadDate);
        break;
      }
      default:
        values[key] = v;
    }
  }
  if (!opts.partial) errors.push(...missingFields(kind, values, { ...opts, bad }).errors);
  return { values, errors, bad: [...bad] };
}

const CHANGING: readonly FormKey[] = ['serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory'];

/**
 * What a form still lacks, as the fields to ask for and a sentence each. A change with
 * nothing to change asks for the fields that can change.
 */
export function missingFields(kind: AdjustmentKind, values: FormValues, opts: { causeDateKnown?: boolean; bad?: ReadonlySet<FormKey> } = {}): { keys: FormKey[]; errors: string[] } {
  const keys: FormKey[] = [];
  const errors: string[] = [];
  const required: FormKey[] =
    kind === 'add' ? ['serviceItem', 'certificate', 'issuerUnit', 'method', 'legalBasis', 'reason', 'causeDate'] : kind === 'cancel' ? ['entryId', 'legalBasis', 'reason', 'causeDate'] : ['entryId', 'reason', 'causeDate'];
  for (const k of required) {
    if (k === 'causeDate' && opts.causeDateKnown) continue;
    if (values[k] === undefined && !opts.bad?.has(k)) {
      keys.push(k);
      errors.push(MSG.formMissing(FORM_LABELS[k][0]));
    }
  }
  if (values.reason === OTHER_REASON && !values.note) {
    keys.push('note');
    errors.push(MSG.formNoteRequired);
  }
  if (kind === 'change' && !CHANGING.some((k) => values[k] !== undefined) && !CHANGING.some((k) => opts.bad?.has(k))) {
    errors.push(MSG.formNothingToChange);
  }
  return { keys, errors };
}

/** The label a field is asked under (its first spelling). */
export function formLabel(key: FormKey): string {
  return FORM_LABELS[key][0];
}

/**
 * A bare answer to a single field asked again ("部门核验" after "方式：") reads as that
 * field; anything in "标签：内容" form is left as it is.
 */
export function asFieldAnswer(text: string, asked: readonly FormKey[]): string {
  if (asked.length !== 1 || looksLikeForm(text)) return text;
  return `${formLabel(asked[0])}：${text.trim()}`;
}

/** True when the text holds at least one "标签：" line the form knows (else it is other chat). */
export function looksLikeForm(text: string): boolean {
  return text.split(/\r?\n/).some((line) => {
    const m = /^\s*([^：:\s]{1,8})\s*[：:]/.exec(line);
    return !!m && LABEL_TO_KEY.has(m[1]);
  });
}
