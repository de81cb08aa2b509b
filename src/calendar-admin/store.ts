import { DataSource } from 'typeorm';
import { CalendarDay, CalendarYear } from '../../entities';
import { buildCalendar, WorkingCalendar } from '../calendar';

/**
 * The calendar as data: the package's State Council data plus the office's overrides
 * from the database. Cached; `invalidate()` after the office edits a date.
 */
export class CalendarStore {
  private cached: { cal: WorkingCalendar; at: number } | null = null;

  constructor(private readonly deps: { dataSource: DataSource; tz: string; officeHours: string; ttlMs?: number; now?: () => number }) {}

  async get(): Promise<WorkingCalendar> {
    const now = (this.deps.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.deps.ttlMs ?? 60_000)) return this.cached.cal;
    const [days, years] = await Promise.all([
      this.deps.dataSource.getRepository(CalendarDay).find(),
      this.deps.dataSource.getRepository(CalendarYear).find(),
    ]);
    const cal = buildCalendar({
      tz: this.deps.tz,
      officeHours: this.deps.officeHours,
      overrides: days.map((d) => ({ date: d.date, working: !!d.working })),
      manualYears: years.map((y) => y.year),
    });
    this.cached = { cal, at: now };
    return cal;
  }

  invalidate(): void {
    this.cached = null;
  }

  async setDay(date: string, working: boolean, note: string, by: string, at: Date): Promise<void> {
    // Validate through a calendar build first: a bad date never reaches the table.
    buildCalendar({ tz: this.deps.tz, officeHours: this.deps.officeHours, overrides: [{ date, working }] });
    await this.deps.dataSource.getRepository(CalendarDay).save({ date, working, note: note.slice(0, 100), updatedBy: by.slice(0, 64), updatedAt: at });
    this.invalidate();
  }
}
