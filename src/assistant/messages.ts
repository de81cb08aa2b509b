/** What the app bot says to a member when no module took the message (Chinese, user-facing). */
export const ASSISTANT = {
  welcome: (name?: string) =>
    `${name ? `${name}，` : ''}您好！这里是“无证明城市”协查助手。\n` +
    '· 新的协查请求会以卡片发给您，点“受理”或“退回”即可；\n' +
    '· 受理后回复“核验一致”或“核验不一致”给出结果，需要时可回复“转纸质档案”“转历史档案”；\n' +
    '· 回复“帮助”可再次查看本说明。',
  help:
    '可用的操作：\n' +
    '· 在协查卡片上点“受理”或“退回”；\n' +
    '· 受理后回复：核验一致 / 核验不一致 / 转纸质档案 / 转历史档案；\n' +
    '· 回复“待办”查看你未办结的协查；\n' +
    '· 请假回复“请假至12月7日”，回来后回复“我回来了”；\n' +
    '· 如有疑问请联系联席会议办公室。',
  /** The office's own help: its commands and the console, not "ask the office". */
  officeHelp: (consoleUrl: string) =>
    '联席会议办公室可用的操作：\n' +
    '· 回复“超时”或“督办”：查看当前超时未办结的协查；\n' +
    '· 在「协查督办」卡片上点 督办 / 责成限时办结 / 约谈（约谈需回复事由确认）；\n' +
    '· 请假回复“请假至12月7日”，回来后回复“我回来了”；\n' +
    `· 统计、督办记录和约谈记录见办公室控制台：${consoleUrl}`,
};

/** Words that ask for the help text whatever else is going on. */
export const HELP_WORDS: readonly string[] = ['帮助', 'help', '?', '？'];
