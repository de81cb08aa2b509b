import { DataSource } from 'typeorm';
import { Staff, Unit } from '../../entities';
import { inTransaction } from '../db/tx';

/**
 * Sandbox mode's demo directory (CONTRACT.md `npm start`): three units at the Art. 6
 * minimum and the office, loaded only into an empty directory.
 */
export const DEMO_UNITS = [
  { code: 'RSJ', name: '县人力资源和社会保障局', isOffice: false },
  { code: 'GAJ', name: '县公安局', isOffice: false },
  { code: 'SCJ', name: '县市场监督管理局', isOffice: false },
  { code: 'SPJ', name: '县行政审批服务局（联席会议办公室）', isOffice: true },
];

export const DEMO_STAFF = [
  ...['rsj', 'gaj', 'scj'].flatMap((u) => [
    { userid: `liaison.${u}`, unitCode: u.toUpperCase(), role: 'liaison' as const, ab: null, name: `${u.toUpperCase()}联络员` },
    { userid: `deputy.${u}.a`, unitCode: u.toUpperCase(), role: 'deputy' as const, ab: 'A' as const, name: `${u.toUpperCase()}代办员A` },
    { userid: `deputy.${u}.b`, unitCode: u.toUpperCase(), role: 'deputy' as const, ab: 'B' as const, name: `${u.toUpperCase()}代办员B` },
  ]),
  { userid: 'office.spj', unitCode: 'SPJ', role: 'member' as const, ab: null, name: '办公室值班员' },
];

export async function seedDemoDirectory(ds: DataSource, now: Date): Promise<void> {
  if ((await ds.getRepository(Unit).count()) > 0) return;
  await inTransaction(ds, async (m) => {
    await m.getRepository(Unit).insert(DEMO_UNITS.map((u) => ({ ...u, createdAt: now, updatedAt: now })));
    await m.getRepository(Staff).insert(DEMO_STAFF.map((s) => ({ ...s, mobile: null, away: false, awayUntil: null, trainedOn: null, createdAt: now, updatedAt: now })));
  });
}
