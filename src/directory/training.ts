import { DataSource, EntityManager } from 'typeorm';
import { Staff, TrainingRecord } from '../../entities';
import { inTransaction } from '../db/tx';

export interface TrainingInput {
  trainedOn: string;
  course: string;
}

/** A member's training records, latest first (SPEC 1 Art. 6). */
export function listTraining(m: EntityManager, userid: string): Promise<TrainingRecord[]> {
  return m.getRepository(TrainingRecord).find({ where: { userid }, order: { trainedOn: 'DESC', id: 'DESC' } });
}

/**
 * Records one training and keeps the directory's latest-training date true, in one
 * transaction. The caller has checked the input (a real date not after today, a course).
 */
export async function addTraining(ds: DataSource, staff: Staff, input: TrainingInput, by: string, now: Date): Promise<TrainingRecord> {
  return inTransaction(ds, async (m) => {
    const row = m.getRepository(TrainingRecord).create({ userid: staff.userid, unitCode: staff.unitCode, trainedOn: input.trainedOn, course: input.course, recordedBy: by.slice(0, 100), recordedAt: now });
    await m.getRepository(TrainingRecord).insert(row);
    if (!staff.trainedOn || staff.trainedOn < input.trainedOn) await m.getRepository(Staff).update({ userid: staff.userid }, { trainedOn: input.trainedOn, updatedAt: now });
    return row;
  });
}
