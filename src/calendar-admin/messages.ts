/** What the office sees about the working-day calendar (Chinese, user-facing). */
export const CALENDAR_TEXT = {
  /** `derivedYears`: of this year and the next, those counted from the holiday regulation. */
  coverage: (lastKnownDate: string, daysLeft: number, derivedYears: readonly number[] = []) => {
    const derived = derivedYears.length
      ? `\n${derivedYears.join('、')} 年尚无国务院节假日安排，系统暂按《全国年节及纪念日放假办法》推算法定节假日及补假（不含调休上班日），据此计算的协查时限为暂定。录入后，未办结协查的暂定时限将重新计算，只延不缩。`
      : '';
    if (daysLeft >= 0) {
      return `**工作日历即将用完**\n系统已知的法定节假日数据截至 ${lastKnownDate}，还剩 ${daysLeft} 天。\n请在此之前录入下一年度的节假日和调休安排（或更新节假日数据包）。${derived}`;
    }
    return derived
      ? `**工作日历已用完**\n系统已知的法定节假日数据截至 ${lastKnownDate}。${derived}\n请尽快录入本年度的节假日和调休安排（或更新节假日数据包）。`
      : `**工作日历已用完**\n系统已知的法定节假日数据截至 ${lastKnownDate}，协查时限已无法计算。\n请立即录入下一年度的节假日和调休安排。`;
  },
};
