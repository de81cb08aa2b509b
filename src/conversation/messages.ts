/** What the bot says about the open question itself (Chinese, user-facing). */
export const CONVERSATION = {
  /** Words that cancel the open question, the same in every module. */
  cancelWords: ['取消', '算了', '不用了', '放弃', '退出'] as readonly string[],
  /** Appended to a new question when it replaced an older one. */
  replaced: (label: string): string => `（此前关于「${label}」的提问已取消，你的下一条消息将回答本问题。）`,
  cancelled: (label: string): string => `已取消：${label}。`,
  nothingToCancel: '当前没有需要你回答的提问，无需取消。',
};
