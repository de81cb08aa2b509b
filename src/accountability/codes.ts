import type { Art4Ground, CaseOutcome, DecidingBody, Employment, ExemptionGround } from '../../entities/AccountabilityCase';

/**
 * The vocabulary of SPEC 4 (责任追究和容错免责管理办法), in the rule book's order. Pure:
 * labels live in messages.ts.
 */

/** Art. 4 (1)-(6): the grounds a case is opened on (CONTRACT.md). */
export const ART4_GROUNDS: readonly Art4Ground[] = ['unauthorised_certificate', 'unauthorised_change', 'verification_late', 'falsification', 'commitment_unchecked', 'other_serious'];

/** Art. 5 (1)-(4). */
export const CASE_OUTCOMES: readonly CaseOutcome[] = ['rectify', 'written_review', 'circulated_criticism', 'disciplinary'];

/** Art. 8 (1)-(5). */
export const EXEMPTION_GROUNDS: readonly ExemptionGround[] = ['reform_direction', 'no_prohibition_breached', 'due_decision', 'harm_remedied', 'other_lawful'];

/** Art. 5: the bodies with accountability functions. */
export const DECIDING_BODIES: readonly DecidingBody[] = ['discipline_inspection', 'organisation_personnel', 'supervising_unit', 'own_unit'];

/**
 * Art. 5: "hired staff are handled by their unit under their contract": a hired person's
 * case is decided by their own unit only, whatever the outcome.
 */
export const HIRED_DECIDED_BY: DecidingBody = 'own_unit';

/** Art. 2: whose conduct the rules cover. */
export const EMPLOYMENT_TYPES: readonly Employment[] = ['staff', 'borrowed', 'hired', 'seconded'];

/**
 * A list application filed after its 7 working days (SPEC 2 Art. 9) is opened as Art. 4
 * (2) by default: until the list changes the unit handles the certificate its own way, so
 * late filing is a change of how the item is handled that went unauthorised meanwhile.
 */
export const LATE_APPLICATION_GROUND: Art4Ground = 'unauthorised_change';
