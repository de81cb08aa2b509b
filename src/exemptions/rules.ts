import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import type { ExemptionMethod } from '../../entities/ExemptionEntry';
import type { DeadlineCategory } from '../calendar';

/** Exemption methods of Art. 3. */
export const METHODS: readonly ExemptionMethod[] = ['sharing', 'commitment', 'verification', 'other'];
export const KINDS: readonly AdjustmentKind[] = ['add', 'change', 'cancel'];
export const CATEGORIES: readonly DeadlineCategory[] = ['digital', 'paper', 'historical'];

/**
 * The reasons Art. 6-8 give for each kind of adjustment:
 * Art. 6 (add): a law newly sets the certificate or a new service item needs it; the
 * data can now be shared; a commitment can replace it; verification between units can.
 * Art. 7 (change): the legal basis changed; the exemption method changed; the issuing or
 * requesting unit changed (reorganisation); the item or certificate was renamed.
 * Art. 8 (cancel): the legal basis was repealed; the service item was abolished; the
 * certificate is no longer required at all; the issuing unit can no longer provide it.
 */
export const REASONS: Readonly<Record<AdjustmentKind, readonly string[]>> = {
  add: ['new_legal_basis', 'data_sharing_available', 'commitment_applicable', 'verification_applicable'],
  change: ['basis_amended', 'method_changed', 'unit_reorganised', 'name_changed'],
  cancel: ['basis_repealed', 'item_abolished', 'certificate_abolished', 'issuer_unavailable'],
};

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
