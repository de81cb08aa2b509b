import 'reflect-metadata';
import cron from 'node-cron';
import { loadConfig, ConfigError } from './config';
import { startSystem, System } from './system';
import { createLogger } from './logger';
import { runSweep } from './sweep';
import { createApiKey } from './http/auth';

/**
 * The one composition root: config -> DataSource -> WeCom client -> app ->
 * workers. Everything below takes its dependencies as arguments.
 */
export async function main(env: Record<string, string | undefined> = process.env): Promise<System> {
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) console.error(`配置错误 ${line}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  const sys = await startSystem({ config, log });

  // One sweep a minute of every time-driven job, never two at once in this process.
  let sweeping = false;
  const task = cron.schedule(
    '* * * * *',
    async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        await runSweep(sys.jobs, new Date(), (line) => log.info({ sweep: line }, 'sweep'));
      } catch (e) {
        log.error({ err: String(e) }, 'sweep failed');
      } finally {
        sweeping = false;
      }
    },
    { timezone: config.officeTz, noOverlap: true },
  );

  const coverage = (await sys.calendar.get()).coverageWarning(new Date());
  if (coverage) log.warn(coverage, 'the working-day calendar runs out soon: enter the next year (PUT /api/v1/calendar/years/{year} and its days)');
  if (!config.officeChatId && !config.officeRobotWebhook) {
    log.warn('neither OFFICE_CHAT_ID nor OFFICE_ROBOT_WEBHOOK is set: escalations are recorded but cannot be delivered to the office group');
  }
  if (sys.emulator) {
    const e = sys.emulatorUrl;
    // Sandbox keys are made fresh at every start (no secret has a default).
    const officeKey = await createApiKey(sys.dataSource, 'sandbox office', null, new Date());
    const unitKey = await createApiKey(sys.dataSource, 'sandbox GAJ', 'GAJ', new Date()).catch(() => null);
    const example = JSON.stringify({
      requesterUnit: 'GAJ',
      issuerUnit: 'RSJ',
      serviceItem: '户籍迁入',
      certificate: '社保缴纳证明',
      category: 'digital',
      applicant: { name: '张三', idNumber: '11010519491231002X' },
      question: '申请人是否在本县连续缴纳社保满12个月？',
    });
    console.log(
      [
        `nocert 已启动（沙箱模式）：${sys.url}`,
        `  企业微信模拟器：${e}  （无需真实企业微信，卡片与消息都在这里）`,
        `  查看已发送的消息：  curl ${e}/sandbox/messages`,
        `  模拟成员发消息：    curl -X POST ${e}/sandbox/text -H 'content-type: application/json' -d '{"userid":"liaison.rsj","content":"你好"}'`,
        `  健康检查：          ${sys.url}/healthz   就绪：${sys.url}/readyz   指标：${sys.url}/metrics`,
        `  数据库：            ${config.databaseUrl}`,
        `  办公室 API 密钥：   ${officeKey}`,
        ...(unitKey
          ? [
              `  县公安局 API 密钥： ${unitKey}`,
              `  发起一次协查：      curl -X POST ${sys.url}/api/v1/verifications -H 'authorization: Bearer ${unitKey}' -H 'content-type: application/json' -d '${example}'`,
              `  然后看卡片：        curl ${e}/sandbox/messages?touser=liaison.rsj`,
            ]
          : []),
      ].join('\n'),
    );
  } else {
    log.info({ url: sys.url, mode: config.mode }, 'nocert started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await task.stop();
    await sys.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return sys;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`启动失败：${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
