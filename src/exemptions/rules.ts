import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';
import { AppError } from '../errors';

/** Exemption methods of Art. 3. */
export const METHODS: readonly ExemptionMethod[] = ['sharing', 'commitment', 'verification', 'other'];
export const KINDS: readonly AdjustmentKind[] = ['add', 'change', 'cancel'];
export const CATEGORIES: readonly DeadlineCategory[] = ['digital', 'paper', 'historical'];

/**
 * The reasons of Art. 6-8, exactly the source's lists (codes fixed by CONTRACT.md):
 * Art. 6 (add): a law promulgated or amended requires the certificate; a power delegated
 * down is taken over; a change of functions needs a new item; the agency still requires
 * the certificate and the list left it out; other.
 * Art. 7 (change): the requesting or issuing unit changed; the service item was renamed;
 * the certificate's name or type changed; the exemption method changed; other.
 * Art. 8 (cancel): laws remove the service item; a government abolished it; a change of
 * functions (no longer handled, or a new way of management achieves the purpose); other.
 */
export const REASONS: Readonly<Record<AdjustmentKind, readonly string[]>> = {
  add: ['law_requires', 'power_delegated', 'function_change', 'still_required_omitted', 'other'],
  change: ['unit_changed', 'item_renamed', 'certificate_changed', 'method_changed', 'other'],
  cancel: ['law_removes_item', 'government_abolished_item', 'function_change', 'other'],
};

/** Art. 6-8 (5)/(4): "other" always needs a written explanation. */
export const OTHER_REASON = 'other';

/** Fields a change may touch without a legal basis: the exemption method (Art. 3, para. 3). */
const METHOD_FIELDS: readonly EntryField[] = ['method', 'defaultCategory'];

function refusal(message: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('validation_failed', message, { details: { reason, ...extra } });
}

/** The reason belongs to the kind (Art. 6-8) and "other" carries its explanation. */
export function checkReason(kind: AdjustmentKind, reason: string, note: string | null | undefined): void {
  if (!REASONS[kind].includes(reason)) throw refusal(`reason: for ${kind} one of ${REASONS[kind].join(', ')}`, 'reason_invalid', { kind });
  if (reason === OTHER_REASON && !note?.trim()) throw refusal('note: reason "other" needs a written explanation', 'note_required');
}

/**
 * Art. 3: adding, changing or cancelling a certificate follows law, so the application
 * states its legal basis; a change of the exemption method alone does not need one.
 */
export function legalBasisRequired(kind: AdjustmentKind, reason: string, changed: readonly EntryField[]): boolean {
  if (kind !== 'change') return true;
  return !(reason === 'method_changed' && changed.length > 0 && changed.every((f) => METHOD_FIELDS.includes(f)));
}

export function checkLegalBasis(kind: AdjustmentKind, reason: string, changed: readonly EntryField[], legalBasis: string | null | undefined): void {
  if (legalBasisRequired(kind, reason, changed) && !legalBasis?.trim()) {
    throw refusal(`legalBasis: required to ${kind} a certificate (only a change of the exemption method alone needs none)`, 'legal_basis_required', { kind });
  }
}

/** Art. 9: the unit applies within 7 working days after the cause arises. */
export const APPLY_WORKING_DAYS = 7;
/** The liaison is reminded on the morning after the 5th working day: two working days left. */
export const REMIND_AFTER_WORKING_DAYS = 5;
/** Art. 5: published at least every half year. */
export const PUBLICATION_MONTHS = 6;

/** Entry fields an application may carry (Art. 3 / Art. 9). */
export const ENTRY_FIELDS = ['serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory'] as const;
export type EntryField = (typeof ENTRY_FIELDS)[number];

export interface EntryData {
  serviceItem: string;
  certificate: string;
  requesterUnit: string;
  issuerUnit: string;
  method: ExemptionMethod;
  legalBasis: string;
  defaultCategory: DeadlineCategory;
}

/** Whitespace-insensitive form of a name, for duplicate detection. */
export function normaliseName(s: string): string {
  return s.replace(/[\s\u3000]+/g, '').toLowerCase();
}

export function changedFields(before: EntryData, after: EntryData): EntryField[] {
  return ENTRY_FIELDS.filter((f) => before[f] !== after[f]);
}
