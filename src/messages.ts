/** Operator-facing text of the command line and of the sandbox start banner. */
export const CLI_TEXT = {
  usage: `用法:
  nocert migrate
  nocert scheduler run [--now ISO-8601]
  nocert calendar due --category digital|paper|historical --from ISO-8601
  nocert directory import FILE
  nocert apikey create --name TEXT [--unit CODE]`,
  configError: (line: string) => `配置错误 ${line}`,
  migrated: (n: number) => `已应用 ${n} 个迁移`,
  dueUsage: '需要 --category digital|paper|historical 和 --from ISO-8601',
  nameRequired: '需要 --name TEXT',
  fileRequired: '需要文件路径: nocert directory import FILE',
  imported: (units: number, staff: number) => `已导入 ${units} 个单位、${staff} 名人员`,
  error: (code: string, message: string) => `错误 ${code}: ${message}`,
  rowError: (row: string | number, message: string) => `  第 ${row} 行: ${message}`,
  failed: (message: string) => `错误: ${message}`,
} as const;

export const START_TEXT = {
  failed: (message: string) => `启动失败：${message}`,
  auditor: '控制台审计（只读）',
  /** The request the sandbox banner shows how to send. */
  exampleRequest: {
    serviceItem: '户籍迁入',
    certificate: '社保缴纳证明',
    category: 'digital',
    applicant: { name: '张三', idNumber: '11010519491231002X' },
    question: '申请人是否在本县连续缴纳社保满12个月？',
  },
  sandbox: (v: { url: string; publicUrl: string; emulator: string | null; databaseUrl: string; officeKey: string; kfAccount: string; people: Array<{ userid: string; name: string; unit: string }> }) => [
    `nocert 已启动（沙箱模式）：${v.url}`,
    `  办公室控制台：      ${v.publicUrl}/console/   （一键以办公室人员登录：${v.publicUrl}/console/login/sandbox）`,
    `  沙箱手机页：        ${v.publicUrl}/sandbox-phones/   （同时扮演每位人员、办公室群和群众，点按钮、发消息）`,
    `  企业微信模拟器：${v.emulator}  （无需真实企业微信，卡片与消息都在这里）`,
    `  微信客服账号：      open_kfid=${v.kfAccount}   （群众发消息：curl -X POST ${v.emulator}/sandbox/kf/say -H 'content-type: application/json' -d '{"open_kfid":"${v.kfAccount}","external_userid":"wmDemo","content":"你好"}'）`,
    `  演示人员 userid：`,
    ...v.people.map((p) => `    ${p.userid.padEnd(16)} ${p.name}（${p.unit}）`),
    `  查看已发送的消息：  curl ${v.emulator}/sandbox/messages`,
    `  模拟成员发消息：    curl -X POST ${v.emulator}/sandbox/text -H 'content-type: application/json' -d '{"userid":"liaison.rsj","content":"你好"}'`,
    `  健康检查：          ${v.url}/healthz   就绪：${v.url}/readyz   指标：${v.url}/metrics`,
    `  数据库：            ${v.databaseUrl}`,
    `  办公室 API 密钥：   ${v.officeKey}`,
  ],
  sandboxUnit: (v: { url: string; emulator: string | null; unitKey: string; example: string }) => [
    `  县公安局 API 密钥： ${v.unitKey}`,
    `  发起一次协查：      curl -X POST ${v.url}/api/v1/verifications -H 'authorization: Bearer ${v.unitKey}' -H 'content-type: application/json' -d '${v.example}'`,
    `  然后看卡片：        curl ${v.emulator}/sandbox/messages?touser=liaison.rsj`,
  ],
} as const;
