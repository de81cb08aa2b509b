/**
 * Citizen-facing sentences the understanding layer suggests to the conversation: what to
 * say when an answer does not fit, instead of a bare "格式不对" or "没有对应的选项".
 */

export interface LabelledOption {
  label: string;
}

/** Repeats the choices (those in `among`) with their numbers, so any of them can be typed. */
export function repeatChoices(options: readonly LabelledOption[], among: readonly number[]): string {
  const list = among.map((i) => `${i + 1}. ${options[i].label}`).join('；');
  return among.length < options.length && among.length > 1
    ? `您是指哪一个？请回复序号：${list}。`
    : `请回复序号或选项的名称：${list}。`;
}

export const UNDERSTAND_TEXT = {
  /** An 18-digit ID number typed where a phone was asked for. */
  idNotPhone: '这是身份证号，请输入手机号（11位）或带区号的固定电话。身份证号不用提供。',
  /** Why the phone is asked for at all. */
  phoneWhy: '留电话是为了让工作人员核实情况、告诉您办理结果，不会公开。',
  phoneExample: '例如：13812345678 或 0533-1234567',
  /** Only punctuation ("???"), not an emoji. */
  unclear: '没看明白您的意思，请用一句话说说您要办的事，例如：我要投诉、查询进度、办低保要不要开收入证明。',
  emojiOnly: '暂时看不懂表情，请用文字回复。',
  agencyUrl: '请输入单位的名称，不要发网址。例如：县公安局、城关派出所。',
  agencySentence: '请只输入单位的名称，例如：县公安局、城关派出所。',
  agencyCandidates: '您说的可能是下面的单位，请回复序号；都不是的话，请输入单位全称：',
  longTextKept: (kept: number, rest: number): string =>
    `您写的内容较长，已保留前${kept}字作为事情经过。剩下的${rest}字要作为补充内容一并提交吗？请回复“是”或“不用”。`,
  supplementAdded: '已把您补充的内容加到事情经过后面。',
  noPublishedList: '免提交清单尚未发布，查不到不代表需要提供。如果办事时被要求提供证明，您可以投诉。',
  searchAgain: '还可以继续输入其他证明或事项的名称查询；回复“取消”结束查询。',
};
