/** What the issuing unit's people are told about a data service's lookup (user-facing, Chinese). */
export const DS_TEXT = {
  /** The recipients' record once the system answered for the unit. */
  autoOutcome: '系统已自动答复',
  /** On the ordinary request card after a fall-back: why a person must answer. */
  lookupFailed: (why: string) => `查询未果，请人工核验（${why}）`,
  defaultMismatch: '数据服务比对结果不一致',
};

/** A lookup's failure code as one neutral word for the card (never the service's own text). */
export function failureWord(failure: string): string {
  if (failure === 'unknown') return '无匹配记录';
  if (failure === 'timeout') return '查询超时';
  if (failure === 'circuit_open') return '服务暂停';
  if (failure === 'busy') return '服务繁忙';
  if (failure === 'stale' || failure === 'interrupted') return '查询中断';
  if (failure === 'no_key' || failure === 'secret_unreadable') return '服务未就绪';
  if (failure === 'not_pending') return '状态已变';
  return '服务异常';
}
