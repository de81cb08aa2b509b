/** What the issuing unit's liaisons are told about a data service's lookup (user-facing, Chinese). */
export const DS_TEXT = {
  answered: (number: string, consistent: boolean, due: string) =>
    `核验申请 ${number} 已由本单位数据服务自动答复：${consistent ? '核验一致' : '核验不一致'}。如结果有误，请在原办理时限 ${due} 前联系联席会议办公室更正。`,
  fallback: (number: string, due: string) => `核验申请 ${number} 的数据服务自动查询未成功，已转人工办理，请在时限 ${due} 前按常规受理并答复。`,
  defaultMismatch: '数据服务比对结果不一致',
};
