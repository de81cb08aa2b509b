import packageData from 'chinese-days/dist/chinese-days.json';

/**
 * The State Council calendar as shipped by the `chinese-days` package (SPEC "Working time":
 * "seeded from a maintained package"). Values look like "Spring Festival,春节,4".
 */
export interface HolidaySource {
  /** Dates off work (public holidays, including the weekend days inside a holiday period). */
  readonly holidays: Readonly<Record<string, string>>;
  /** Make-up working days (调休), always on a weekend. */
  readonly workdays: Readonly<Record<string, string>>;
}

export const PACKAGE_HOLIDAYS: HolidaySource = packageData as unknown as HolidaySource;

/**
 * Years the source really covers. A year counts only when its Spring Festival is listed:
 * each State Council notice covers a whole year and the festival always falls in January or
 * February of that year, so a stray entry (e.g. a New Year break starting on 30 December)
 * cannot make a year look known. The package itself answers for any year by falling back to
 * plain weekends, which is exactly what we must not do.
 */
export function coveredYears(source: HolidaySource): number[] {
  const years = new Set<number>();
  for (const [date, label] of Object.entries(source.holidays)) {
    if (label.includes('Spring Festival') || label.includes('春节')) years.add(Number(date.slice(0, 4)));
  }
  return [...years].sort((a, b) => a - b);
}
