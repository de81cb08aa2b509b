/**
 * How long each question the bot asks waits for its answer, in one place. A question not
 * answered in time lapses: the person's next text goes to the ordinary handlers.
 */
const HOUR = 3600_000;

export const QUESTION_TTL_MS = {
  verification: {
    /** 核验不一致: the details of the mismatch. */
    mismatch_details: 24 * HOUR,
    /** 退回: the reason of the return (Art. 7). */
    return_reason: 24 * HOUR,
    /** 转纸质档案 / 转历史档案: the reason of the move. */
    category_reason: 24 * HOUR,
    /** 确认: an answer echoed back before it is final. */
    confirm_answer: HOUR,
  },
  complaints: {
    reject: 24 * HOUR,
    terminate: 24 * HOUR,
    extend: 24 * HOUR,
    resolve: 24 * HOUR,
  },
  escalations: {
    /** 约谈: the effect of the late answer, which also confirms the summons. */
    summons_reason: HOUR,
  },
  exemptions: {
    apply_form: 2 * HOUR,
    apply_confirm: 2 * HOUR,
    review_comment: HOUR,
  },
  accountability: {
    /** 申请复核/申诉: the grounds of the appeal (SPEC 4 Art. 6). */
    appeal_reason: 24 * HOUR,
    /** 申请容错免责: the Art. 8 ground and its explanation. */
    exemption_form: 24 * HOUR,
  },
  meeting: {
    /** 报送进展: the progress on a decision of the minutes (SPEC 5). */
    progress: 24 * HOUR,
  },
} as const;

export type QuestionModule = keyof typeof QUESTION_TTL_MS;
export type QuestionKind<M extends QuestionModule> = keyof (typeof QUESTION_TTL_MS)[M] & string;

export function ttlOf<M extends QuestionModule>(module: M, kind: QuestionKind<M>): number {
  return (QUESTION_TTL_MS[module] as Record<string, number>)[kind];
}
