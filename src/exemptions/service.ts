/**
 * The exemption list's application services, by use case: applications.ts (file,
 * resubmit, withdraw, causes), review.ts (the office's decision), views.ts (what the API
 * shows), common.ts (who acts, Art. 9 dates); the HTTP bodies live in routes.ts.
 */
export { type Actor, applicationLimits } from './common';
export { type CheckedApplication, checkApplication, apply, resubmit, withdraw, recordCause } from './applications';
export { type Decision, type ReviewOptions, describeLines, review, summaryOf } from './review';
export { applicationView, entryView, getApplication, listApplications } from './views';
export { entryFieldsSchema, applicationBody, resubmitBody, causeBody, reviewBody, type ApplicationInput, type ResubmitInput, type CauseInput } from './routes';
export { KIND_LABEL } from './messages';
