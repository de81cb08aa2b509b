import { DataSource } from 'typeorm';
import { ExemptionEntry, Staff, Unit } from '../../entities';
import type { EntryData } from '../../src/exemptions/rules';
import { publish } from '../../src/exemptions/versions';
import { inTransaction } from '../../src/db/tx';
import type { UnitSpec } from './mothers/directory';

/** Writing the mothers' data into the test database. */

export async function seedDirectory(ds: DataSource, units: UnitSpec[], now = new Date('2026-11-26T00:00:00Z')): Promise<void> {
  for (const u of units) {
    await ds.getRepository(Unit).save({ code: u.code, name: u.name, isOffice: u.isOffice ?? false, createdAt: now, updatedAt: now });
    for (const s of u.staff) {
      await ds.getRepository(Staff).save({
        userid: s.userid,
        unitCode: u.code,
        name: s.name,
        role: s.role,
        ab: s.ab ?? null,
        mobile: s.mobile ?? null,
        away: s.away ?? false,
        awayUntil: s.awayUntil ?? null,
        trainedOn: null,
        createdAt: now,
        updatedAt: now,
      });
    }
  }
}

/** Entries straight into the working list (no application), returning their ids. */
export async function seedEntries(ds: DataSource, entries: EntryData[], now: Date): Promise<number[]> {
  const repo = ds.getRepository(ExemptionEntry);
  const ids: number[] = [];
  for (let i = 0; i < entries.length; i += 400) {
    const res = await repo.insert(entries.slice(i, i + 400).map((e) => ({ ...e, status: 'active' as const, createdAt: now, updatedAt: now, version: 1 })));
    ids.push(...res.identifiers.map((x) => Number(x.id)));
  }
  if (ids.some((x) => !x)) {
    const rows = await repo.find({ order: { id: 'ASC' } });
    return rows.slice(-entries.length).map((r) => r.id);
  }
  return ids;
}

/** Seeds entries and publishes them as the next version. */
export async function publishEntries(ds: DataSource, entries: EntryData[], now: Date): Promise<number[]> {
  const ids = await seedEntries(ds, entries, now);
  await inTransaction(ds, (m) => publish(m, { kind: 'office', unitCode: null, name: 'test-office' }, {}, now));
  return ids;
}
