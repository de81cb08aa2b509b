/** What the complaints deadline job tells the agency and the office (SPEC 3 Art. 7, 10). */
export const COMPLAINT = {
  dueSoon: (number: string, due: string) => `【投诉办理提醒】投诉举报 ${number} 须于 ${due} 前办结并告知投诉人（投诉举报办法第十条）。`,
  overdue: (number: string, due: string) => `【投诉办理超时】投诉举报 ${number} 已超过办结时限（${due}），已报告联席会议办公室，请立即办理。`,
  overdueGroup: (number: string, agency: string, due: string, late: string) =>
    `**投诉举报超时 ${number}**\n> 被投诉单位：${agency}\n> 办结时限：${due}　超时：<font color="warning">${late}</font>`,
  unanswered: (number: string) => `【投诉待受理】投诉举报 ${number} 登记后尚未受理或作出不予受理决定，请及时处理（投诉举报办法第七条）。`,
  undelivered: (number: string) => `【结果未告知】投诉举报 ${number} 已办结，但结果尚未送达投诉人（客服会话已关闭），请通过电话等方式告知并登记。`,
} as const;
