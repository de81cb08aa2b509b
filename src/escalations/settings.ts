import { EntityManager } from 'typeorm';
import { SchedulerState } from '../../entities';
import { AppError } from '../errors';
import { DEADLINE_CATEGORIES } from '../calendar';
import { StageTable, StageTablePatch, effectiveRules, stageTablePatch } from './stages';

export const STAGE_RULES_KEY = 'stage_rules';

/** The office's overrides of the stage table (null: defaults only). A bad stored value is ignored. */
export async function loadStagePatch(m: EntityManager): Promise<StageTablePatch | null> {
  const row = await m.getRepository(SchedulerState).findOneBy({ key: STAGE_RULES_KEY });
  if (!row) return null;
  try {
    const parsed = stageTablePatch.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function loadStageTable(m: EntityManager): Promise<StageTable> {
  return effectiveRules(await loadStagePatch(m));
}

/** Merges a patch into the stored overrides (per category, per field). */
export async function saveStagePatch(m: EntityManager, patch: StageTablePatch, actor: string, now: Date): Promise<StageTablePatch> {
  const current = (await loadStagePatch(m)) ?? {};
  const merged: StageTablePatch = { ...current };
  for (const [cat, v] of Object.entries(patch) as Array<[keyof StageTablePatch, StageTablePatch[keyof StageTablePatch]]>) {
    merged[cat] = { ...(current[cat] ?? {}), ...(v ?? {}) };
  }
  const table = effectiveRules(merged);
  for (const c of DEADLINE_CATEGORIES) {
    const r = table[c];
    if (r.reminderAt !== null && r.warningAt !== null && r.warningAt <= r.reminderAt) {
      throw new AppError('validation_failed', `${c}: warningAt (${r.warningAt}) must come after reminderAt (${r.reminderAt})`);
    }
    if (r.orderReminderAt !== null && r.orderWarningAt !== null && r.orderWarningAt <= r.orderReminderAt) {
      throw new AppError('validation_failed', `${c}: orderWarningAt must come after orderReminderAt`);
    }
  }
  await m.getRepository(SchedulerState).save({ key: STAGE_RULES_KEY, value: JSON.stringify(merged), updatedAt: now, updatedBy: actor.slice(0, 100) });
  return merged;
}
