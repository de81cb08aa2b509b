/**
 * Operator-facing text of the directory import (row-level errors printed by
 * `nocert directory import`). English identifiers, Chinese sentences.
 */
export const IMPORT_TEXT = {
  emptyFile: '文件中没有数据行',
  noHeader: '缺少表头行',
  unknownFormat: (ext: string) => `不支持的文件类型 ${ext}，请使用 .xlsx 或 .csv`,
  unreadable: (why: string) => `无法读取文件：${why}`,
  missingColumn: (name: string) => `缺少必需的列 ${name}`,
  required: (col: string) => `${col} 不能为空`,
  invalid: (col: string, value: string, hint: string) => `${col} 的值 "${value}" 无效：${hint}`,
  duplicateUserid: (userid: string, firstRow: number) => `企业微信账号 ${userid} 重复（第 ${firstRow} 行已出现）`,
  unitNameConflict: (code: string, name: string, firstRow: number) => `单位 ${code} 的名称与第 ${firstRow} 行不一致（第 ${firstRow} 行为 "${name}"）`,
  staffFieldsWithoutUserid: '填写了人员信息但缺少企业微信账号',
} as const;

/** Hints after "invalid" (what a good value looks like). */
export const IMPORT_HINTS = {
  unitCode: '只能包含字母、数字、下划线、点和连字符，最多 40 个字符',
  userid: '企业微信账号只能包含字母、数字和 _ . - @，最多 64 个字符',
  role: '应为 联络员/代办员/成员（liaison/deputy/member）',
  ab: '应为 A、B 或留空',
  mobile: '应为手机号码',
  bool: '应为 是/否',
  date: '应为日期 YYYY-MM-DD',
  tooLong: (n: number) => `最多 ${n} 个字符`,
} as const;

/** Chinese words the import accepts besides the English keys: header names, roles, yes/no. */
export const IMPORT_WORDS = {
  columns: {
    unit_code: ['单位编码', '单位代码'],
    unit_name: ['单位名称', '单位'],
    is_office: ['办公室', '是否办公室'],
    userid: ['企业微信账号', '账号', '成员账号'],
    name: ['姓名'],
    role: ['角色'],
    ab: ['AB角', 'A/B'],
    mobile: ['手机', '手机号', '手机号码'],
    away: ['外出', '是否外出', '请假'],
    away_until: ['外出至', '请假至'],
    trained_on: ['培训日期'],
  },
  roles: { 联络员: 'liaison', 代办员: 'deputy', 成员: 'member', 工作人员: 'member' },
  yes: '是',
  no: '否',
  /** "A角" is A. */
  abSuffix: /角$/,
} as const;

/** Art. 6 gap flags as the office reads them. */
export const GAP_LABEL: Readonly<Record<string, string>> = {
  no_liaison: '无联络员',
  too_few_deputies: '代办员不足2人',
  no_deputy_a: '无A角',
  no_deputy_b: '无B角',
};

/** Messages to the office about units below the Art. 6 minimum (no personal data). */
export const GAP_TEXT = {
  line: (name: string, gaps: readonly string[]): string => `${name}：${gaps.map((g) => GAP_LABEL[g] ?? g).join('、')}`,
  appeared: (units: ReadonlyArray<{ name: string; gaps: readonly string[] }>): string =>
    [
      `### 人员配备不足：${units.map((u) => u.name).join('、')}`,
      ...units.map((u) => `> ${GAP_TEXT.line(u.name, u.gaps)}`),
      '每个单位应至少有1名联络员和2名代办员（A角、B角），请尽快补充（证明事项核验实施办法第六条）。',
    ].join('\n'),
  weeklyHeader: '人员配备不足的单位：',
  weeklyLine: (name: string, gaps: readonly string[]): string => `> ${GAP_TEXT.line(name, gaps)}`,
  /** The group text as a plain app message (no markdown). */
  plain: (markdown: string): string => markdown.replace(/^#+\s*/gm, '').replace(/^>\s*/gm, ''),
};

/** Away and back from the chat (SPEC 1 Art. 6: the B deputy covers while A is away). */
export const AWAY = {
  /** 请假至12月7日, 请假到2026-12-07, 请假 (until 我回来了). */
  pattern: /^请假(?:(?:至|到)\s*(?:(\d{4})[年\-/.])?(\d{1,2})[月\-/.](\d{1,2})日?)?$/,
  backWords: ['我回来了', '销假', '已返岗'] as readonly string[],
  awayUntil: (until: string) => `已登记请假至 ${until}（含）。期间新的协查由其他人员补位办理；提前返岗请回复“我回来了”。`,
  awayOpen: '已登记请假。期间新的协查由其他人员补位办理；返岗后请回复“我回来了”。',
  badDate: '请假日期不正确，请按“请假至12月7日”的格式回复。',
  pastDate: (until: string) => `${until} 已过，请回复今天或以后的日期。`,
  back: '欢迎回来，已恢复接收协查。',
  notAway: '你当前未登记请假，无需销假。',
} as const;
