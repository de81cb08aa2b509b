/** What the office sees about the working-day calendar (Chinese, user-facing). */
export const CALENDAR_TEXT = {
  coverage: (lastKnownDate: string, daysLeft: number) =>
    daysLeft >= 0
      ? `**工作日历即将用完**\n系统已知的法定节假日数据截至 ${lastKnownDate}，还剩 ${daysLeft} 天。\n请在此之前录入下一年度的节假日和调休安排（或更新节假日数据包），否则协查时限将无法计算。`
      : `**工作日历已用完**\n系统已知的法定节假日数据截至 ${lastKnownDate}，协查时限已无法计算。\n请立即录入下一年度的节假日和调休安排。`,
};
