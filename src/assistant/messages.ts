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
    '· 如有疑问请联系联席会议办公室。',
};

/** Words that ask for the help text whatever else is going on. */
export const HELP_WORDS: readonly string[] = ['帮助', 'help', '?', '？'];
