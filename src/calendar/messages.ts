/** Chinese wording of calendar quantities (user-facing). */

/** "5分钟", "2小时10分钟": how late, in office time. */
export function formatLate(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 1) return '不足1分钟';
  if (m < 60) return `${m}分钟`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}小时${m % 60}分钟` : `${h}小时`;
}

/** Next to a deadline counted on a derived year. */
export const PROVISIONAL_NOTE = '（暂定：按法定节假日推算）';
