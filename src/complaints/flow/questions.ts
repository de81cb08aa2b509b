import { agencyPickMenuId, EDIT_DONE_ID, EDIT_FIELDS, EDIT_LABELS, editMenuId, GROUND_LABELS, groundMenuId, LABEL, menu, MENU, Reply, T, text, welcome } from '../messages';
import { charLength, checkText, TextProblem } from '../validate';

import { GROUND_CODES } from '../model';
import { ComplaintStage, ConversationState, TextInput } from './types';
import { REST_OPTIONS } from './understood';

/** The current question, asked again with what was wrong, and its step number. */

// ------------------------------------------------------------------ questions

export interface AskOptions {
  pre?: string[];
  problem?: string;
  showPrevious?: boolean;
}

/** The current question, with notices before it and, after a bad answer, what was wrong. */
export function ask(s: ConversationState, opts: AskOptions = {}): Reply[] {
  const pre = [...(opts.pre ?? []), opts.problem];
  const d = s.draft;
  const Q = T.questions;
  const EX = T.examples;
  switch (s.stage) {
    case 'ground': {
      const prev = opts.showPrevious && d.ground ? T.previousChoice(GROUND_LABELS[d.ground]) : undefined;
      return [
        menu(
          [...pre, Q.ground, prev],
          GROUND_CODES.map((g, i) => [groundMenuId(i), GROUND_LABELS[g]]),
          T.nav,
        ),
      ];
    }
    case 'facts':
      if (d.ground === 'refuses_certificate_outside_county') {
        // Art. 4 (4): nothing was demanded of the citizen; a certificate was refused.
        const value = previousValue(s, s.stage);
        return [text(...pre, T.factsRefused, T.factsRefusedExample, opts.showPrevious && value ? T.previousText(value) : undefined, T.nav)];
      }
    // falls through
    case 'agency':
    case 'certificate':
    case 'request':
    case 'name':
    case 'phone':
    case 'principal':
    case 'principal_phone': {
      const value = previousValue(s, s.stage);
      const prev = opts.showPrevious && value ? T.previousText(value) : undefined;
      const principal = s.stage === 'principal' && d.proxy?.relationship ? T.principalOf(d.proxy.relationship) : Q[s.stage];
      const why = s.stage === 'phone' ? T.phoneWhy : undefined;
      return [text(...pre, principal, why, EX[s.stage], prev, T.nav)];
    }
    case 'facts_rest': {
      const kept = charLength(d.facts ?? '');
      const rest = charLength(s.factsRest ?? '');
      return [menu([...pre, T.longFactsKept(kept, rest)], REST_OPTIONS.map((o): [string, string] => [o.id, o.label]), T.nav)];
    }
    case 'agency_pick': {
      const items: Array<[string, string]> = (s.candidates ?? []).map((c, i) => [agencyPickMenuId(i), c.name]);
      items.push([MENU.agencyNone, LABEL.agencyNone]);
      return [menu([...pre, Q.agency_pick], items, EX.agency_pick)];
    }
    case 'proxy': {
      const prev =
        opts.showPrevious && d.proxy
          ? T.previousChoice(d.proxy.isProxy ? LABEL.proxyOther : LABEL.proxySelf)
          : undefined;
      return [
        menu(
          [...pre, Q.proxy, prev],
          [
            [MENU.proxySelf, LABEL.proxySelf],
            [MENU.proxyOther, LABEL.proxyOther],
          ],
          T.nav,
        ),
      ];
    }
    case 'confirm': {
      const clipped =
        charLength(d.facts ?? '') > 180 || charLength(d.request ?? '') > 100 || charLength(d.agencyText ?? '') > 60;
      // Notices go under the summary, in the menu head, so the summary always fits one text.
      return [
        text(T.summaryTitle, ...T.summaryLines(d, d.ground ? GROUND_LABELS[d.ground] : ''), clipped && T.summaryClipped),
        menu(
          [...pre, Q.confirm],
          [
            [MENU.confirmSubmit, LABEL.confirmSubmit],
            [MENU.confirmEdit, LABEL.confirmEdit],
            [MENU.confirmCancel, LABEL.confirmCancel],
          ],
          T.nav,
        ),
      ];
    }
    case 'edit_pick':
      return [
        menu(
          [...pre, Q.edit_pick],
          [...EDIT_FIELDS.map((f): [string, string] => [editMenuId(f), EDIT_LABELS[f]]), [EDIT_DONE_ID, LABEL.editDone]],
          EX.edit_pick,
        ),
      ];
    case 'status_number':
      return [text(...pre, T.statusAsk)];
    case 'exemption_q':
      return [text(...pre, T.exemptionAsk)];
    case 'submitting':
      return [text(...pre, T.submitting)];
    default:
      return [welcome(pre, { resumable: !!s.resumeStage })];
  }
}

export function previousValue(s: ConversationState, stage: ComplaintStage): string | undefined {
  const d = s.draft;
  switch (stage) {
    case 'agency':
      return d.agencyText;
    case 'facts':
    case 'request':
    case 'name':
    case 'phone':
      return d[stage];
    case 'principal':
      return d.proxy?.principalName && [d.proxy.principalName, d.proxy.relationship].filter(Boolean).join('，');
    case 'principal_phone':
      return d.proxy?.principalPhone;
    case 'certificate':
      return d.certificate || undefined;
    default:
      return undefined;
  }
}

export function stepNumber(stage: ComplaintStage): number {
  const order: Record<ComplaintStage, number> = {
    ground: 1,
    agency: 2,
    agency_pick: 2,
    facts: 3,
    facts_rest: 3,
    certificate: 3,
    request: 4,
    name: 5,
    phone: 6,
    proxy: 7,
    principal: 7,
    principal_phone: 7,
    confirm: 7,
    edit_pick: 7,
  };
  return order[stage];
}

export function problemText(problem: TextProblem, max: number, length: number, min = 1): string {
  switch (problem) {
    case 'too_long':
      return T.tooLong(max, length);
    case 'too_short':
      return T.tooShort(min);
    default:
      return T.problems[problem];
  }
}

/** For a choice question: say what was wrong with the text, or that no option matched. */
export function choiceProblem(input: TextInput): string {
  const check = checkText(input.content, { max: 200 });
  return check.ok || check.problem === 'too_long' || check.problem === 'too_short'
    ? T.problems.choice
    : problemText(check.problem, 200, check.length);
}
