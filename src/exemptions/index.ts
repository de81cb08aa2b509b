import { Module } from '../module';
import { exemptionsApiRouter, exemptionsPublicRouter } from './routes';
import { registerExemptionChat } from './chat';

export { getVerificationEntry, searchPublished, searchPublishedPage } from './lookup';
export { dueApplicationReminders, publicationOverdue } from './reminders';

/**
 * 证明事项免提交清单 (SPEC 2): entries, adjustment applications and their review, numbered
 * versions, public search and comments. The time-driven reminders (Art. 5, Art. 9) are
 * exported for the scheduler rather than registered here.
 */
export const exemptionsModule: Module = {
  name: 'exemptions',
  register(deps) {
    registerExemptionChat(deps);
    return { publicRouters: [exemptionsPublicRouter(deps)], apiRouters: [exemptionsApiRouter(deps)] };
  },
};
