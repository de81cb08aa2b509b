export { buildCalendar, WorkingCalendar } from './working-days';
export type { CalendarOptions, CalendarOverride, CoverageWarning, LocalDay } from './working-days';
export { DEFAULT_OFFICE_HOURS, parseOfficeHours, formatOfficeHours } from './office-hours';
export type { OfficeRange } from './office-hours';
export {
  addOfficeMinutes,
  officeMinutesBetween,
  pointAtFraction,
  endOfWorkingDay,
  nextOfficeInstant,
  inOfficeHours,
  computeDeadline,
  describeRule,
  DEFAULT_DEADLINE_RULES,
  DEADLINE_CATEGORIES,
  isProvisionalRule,
  PROVISIONAL_SUFFIX,
} from './deadline';
export type { Deadline, DeadlineCategory, DeadlineRule, DeadlineRules } from './deadline';
export { formatInZone, parseInstant, shortTime, addDays, addMonths, weekdayOf, mondayOf } from './format';
export { coveredYears, PACKAGE_HOLIDAYS } from './holiday-data';
export type { HolidaySource } from './holiday-data';
export { derivedHolidays, statutoryDays, LAST_DERIVABLE_YEAR } from './statutory';
export type { DerivedHoliday, StatutoryFestival } from './statutory';
