/**
 * The application form in the chat (SPEC 2 Art. 9): what the member has given so far is
 * kept with the open question, so a wrong or missing field is asked again alone; a form
 * that corrects a returned application is a resubmission (a new review round, Art. 10).
 */
import { EntityManager } from 'typeorm';
import { ExemptionApplication, OpenQuestion, Unit } from '../../entities';
import type { AdjustmentKind } from '../../entities/ExemptionApplication';
import { ModuleDeps } from '../module';
import { HandlerContext } from '../wecom/dispatcher';
import { ask, dataOf } from '../conversation';
import { AppError, isAppError } from '../errors';
import { shortTime } from '../calendar';
import { REASONS } from './rules';
import { MSG, REASON_LABEL, refusalText } from './messages';
import { FormKey, FormValues, asFieldAnswer, formLabel, missingFields, parseForm } from './form';
import { Actor, ApplicationInput, CheckedApplication, ResubmitInput, checkApplication, checkResubmission, describeLines } from './service';
import { sendCard, sendText } from '../wecom/messaging';
import { exemptionConfirmCard } from '../../cards/exemption-confirm.card';

/** `seq` increases with each new question, so a stale confirmation card is recognised. */
export interface ApplyData {
  kind: AdjustmentKind;
  /** Ready to file (a new application). */
  input?: ApplicationInput;
  /** Ready to resubmit (a returned application, `resubmitId`). */
  resubmit?: ResubmitInput;
  resubmitId?: number;
  /** The returned card's code, greyed once the correction is in. */
  returnedCode?: string;
  /** What the form has given so far, and the fields asked again. */
  values?: FormValues;
  asked?: FormKey[];
  seq: number;
}

export type ApplyQuestion = 'apply_form' | 'apply_confirm';

export function setApplyPrompt(m: EntityManager, userid: string, kind: ApplyQuestion, applicationId: number, data: ApplyData, now: Date): Promise<OpenQuestion | null> {
  return ask(m, { person: userid, module: 'exemptions', subject: String(applicationId), kind, label: MSG.questionLabel(kind, applicationId), data, now });
}

/** Resolves a unit typed in the form: its code, or its exact name. */
async function resolveUnit(m: EntityManager, v: string | undefined): Promise<string | undefined | null> {
  if (v === undefined) return undefined;
  const repo = m.getRepository(Unit);
  const u = (await repo.findOneBy({ code: v })) ?? (await repo.findOneBy({ name: v }));
  return u ? u.code : null;
}

/** The field a domain refusal is about, when it is about one. */
function refusedField(details: unknown): FormKey | null {
  const d = (details ?? {}) as Record<string, unknown>;
  switch (d.reason) {
    case 'unit_unknown':
      return d.field === 'requesterUnit' || d.field === 'issuerUnit' ? d.field : null;
    case 'fields_missing': {
      const f = ((d.fields as string[]) ?? [])[0];
      return f && f !== 'unitCode' ? (f as FormKey) : null;
    }
    case 'entry_not_found':
    case 'entry_cancelled':
    case 'not_own_entry':
      return 'entryId';
    case 'reason_invalid':
      return 'reason';
    case 'note_required':
      return 'note';
    case 'legal_basis_required':
      return 'legalBasis';
    case 'cause_in_future':
      return 'causeDate';
    default:
      return null;
  }
}

function inputOf(kind: AdjustmentKind, v: FormValues, draftId: number): ApplicationInput {
  const input: ApplicationInput = { kind, reason: v.reason! };
  if (v.entryId !== undefined) input.entryId = v.entryId;
  if (draftId > 0) input.draftId = draftId;
  if (v.causeDate) input.causeDate = v.causeDate;
  return Object.assign(input, resubmitInputOf(v));
}

function resubmitInputOf(v: FormValues): ResubmitInput {
  const out: ResubmitInput = {};
  for (const k of ['reason', 'note', 'serviceItem', 'certificate', 'requesterUnit', 'issuerUnit', 'method', 'legalBasis', 'defaultCategory'] as const) {
    if (v[k] !== undefined) (out as Record<string, unknown>)[k] = v[k];
  }
  return out;
}

/** The current content of a returned application, as form lines for the member to correct. */
export async function currentLines(m: EntityManager, a: ExemptionApplication): Promise<string[]> {
  const lines = (await describeLines(m, a)).map((l) => `${l.key}：${l.value}`);
  return [...lines, `${formLabel('reason')}：${REASON_LABEL[a.reason ?? ''] ?? a.reason ?? ''}`, ...(a.note ? [`${formLabel('note')}：${a.note}`] : [])];
}

/**
 * One message of the form: merged with what was given before; bad or missing fields are
 * asked again alone, the rest kept; a complete form gets the confirmation card.
 */
export async function onForm(deps: ModuleDeps, p: OpenQuestion, text: string, ctx: HandlerContext, actor: Actor, unitName: string): Promise<'handled'> {
  const { manager: m, now } = ctx;
  const data = dataOf<ApplyData>(p);
  const subject = Number(p.subject);
  const kind = data.kind;
  const userid = p.userid;
  const parsed = parseForm(kind, asFieldAnswer(text, data.asked ?? []), { partial: true });
  const values: FormValues = { ...(data.values ?? {}), ...parsed.values };
  for (const k of parsed.bad) delete values[k];
  const errors = [...parsed.errors];
  const again = new Set<FormKey>(parsed.bad);
  if (!data.resubmitId) {
    const miss = missingFields(kind, values, { causeDateKnown: subject > 0, bad: new Set(parsed.bad) });
    errors.push(...miss.errors);
    miss.keys.forEach((k) => again.add(k));
  }
  for (const key of ['requesterUnit', 'issuerUnit'] as const) {
    const code = await resolveUnit(m, values[key]);
    if (code === null) {
      errors.push(MSG.formUnknownUnit(values[key]!));
      again.add(key);
      delete values[key];
    } else if (code) values[key] = code;
  }
  const askAgain = async (why: string[]) => {
    await setApplyPrompt(m, userid, 'apply_form', subject, { ...data, values, asked: [...again], seq: ctx.inboxId }, now);
    await sendText(m, userid, MSG.formFieldErrors(why, [...again].map((k) => `${formLabel(k)}：${MSG.fieldHint(k, REASONS[kind])}`)), now);
    return 'handled' as const;
  };
  if (errors.length) return askAgain(errors);

  const cal = await deps.calendar();
  let resubmitId = data.resubmitId;
  let checked: CheckedApplication;
  try {
    checked = resubmitId ? await checkResubmissionOf(m, resubmitId, actor, resubmitInputOf(values)) : await checkApplication(m, cal, actor, inputOf(kind, values, subject), now);
  } catch (err) {
    if (!isAppError(err)) throw err;
    // a new form on the item of the unit's own returned application corrects that one
    const own = !resubmitId ? await ownReturned(m, err, actor, kind) : null;
    if (own) {
      resubmitId = own.id;
      try {
        checked = await checkResubmissionOf(m, own.id, actor, resubmitInputOf(values));
      } catch (again2) {
        if (!isAppError(again2)) throw again2;
        return refused(again2);
      }
    } else return refused(err);
  }
  async function checkResubmissionOf(mm: EntityManager, id: number, who: Actor, input: ResubmitInput): Promise<CheckedApplication> {
    const a = await mm.getRepository(ExemptionApplication).findOneBy({ id });
    if (!a) throw new AppError('exemption_not_found', `no application ${id}`, { details: { reason: 'application_not_found' } });
    return checkResubmission(mm, cal, who, a, input, now);
  }
  async function refused(err: AppError): Promise<'handled'> {
    const field = refusedField(err.details);
    if (field) {
      delete values[field];
      again.add(field);
    }
    return askAgain([refusalText(err.details)]);
  }

  const next: ApplyData = resubmitId
    ? { kind, resubmit: resubmitInputOf(values), resubmitId, returnedCode: data.returnedCode, values, seq: ctx.inboxId }
    : { kind, input: inputOf(kind, values, subject), values, seq: ctx.inboxId };
  await setApplyPrompt(m, userid, 'apply_confirm', resubmitId ?? subject, next, now);
  const card = exemptionConfirmCard(
    {
      nonce: String(ctx.inboxId),
      kind,
      unitName,
      entryId: checked!.entryId,
      reason: checked!.reason,
      causeDate: checked!.causeDate,
      due: shortTime(cal, checked!.dueAt),
      late: now.getTime() > checked!.dueAt.getTime(),
      lines: await describeLines(m, { kind, entryId: checked!.entryId, ...checked!.fields }),
      ...(resubmitId ? { resubmitOf: resubmitId } : {}),
    },
    now,
  );
  await sendCard(m, [userid], card, now, { refType: 'exemption_confirm', refId: String(ctx.inboxId) });
  return 'handled';
}

/** The unit's own returned application of the same kind that an open-application refusal names. */
async function ownReturned(m: EntityManager, err: AppError, actor: Actor, kind: AdjustmentKind): Promise<ExemptionApplication | null> {
  const d = (err.details ?? {}) as Record<string, unknown>;
  if (d.reason !== 'open_application' || typeof d.applicationId !== 'number') return null;
  const a = await m.getRepository(ExemptionApplication).findOneBy({ id: d.applicationId });
  return a && a.status === 'returned' && a.unitCode === actor.unitCode && a.kind === kind ? a : null;
}
