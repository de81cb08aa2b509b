import { expect } from 'chai';
import { KfHarness } from '../helpers/kf';

/** Art. 10 as the system applies it: the agency applies with its unit key, the office grants. */
export async function grantedExtension(kh: KfHarness, id: number, days: number, reason: string, unitCode = 'HRSS'): Promise<any> {
  const unit = await kh.unitKey(unitCode);
  const applied = await unit.post(`/complaints/${id}/extension`, { days, reason });
  expect(applied.status, JSON.stringify(applied.body)).to.equal(201);
  const decided = await kh.office.post(`/complaints/${id}/extension/decision`, { grant: true });
  expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
  return decided.body;
}
