import { Module } from '../module';
import { guardedJob } from '../scheduler';
import { exemptionsApiRouter, exemptionsPublicRouter } from './routes';
import { registerExemptionChat } from './chat';
import { exemptionReminders } from './reminders';
import { seedDemoExemptions } from './demo';

export { getVerificationEntry, searchPublished, searchPublishedPage } from './lookup';
export { dueApplicationReminders, publicationOverdue } from './reminders';

/**
 * 证明事项免提交清单 (SPEC 2): entries, adjustment applications and their review, numbered
 * versions, public search and comments, and the time-driven reminders (Art. 5, Art. 9).
 */
export const exemptionsModule: Module = {
  name: 'exemptions',
  register(deps) {
    registerExemptionChat(deps);
    return { publicRouters: [exemptionsPublicRouter(deps)], apiRouters: [exemptionsApiRouter(deps)], seedDemo: () => seedDemoExemptions(deps) };
  },
  jobs: (deps) => [guardedJob(deps.log, 'exemption-reminders', (now) => exemptionReminders(deps, now))],
};
