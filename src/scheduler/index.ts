/**
 * The sweep and nothing else: every module declares its time-driven jobs (Module.jobs), the
 * sweep runs them in order once a minute (src/main.ts) or once from
 * `npx nocert scheduler run --now`; claims make a unit of work happen once.
 */
export { Job, Line, runSweep, reportDomainErrors, guardedJob } from './sweep';
export { claimOnce, isClaimed, setClaimDetail, once } from './claims';
