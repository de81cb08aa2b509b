import { JobDeps, Module } from './module';
import { Job } from './scheduler';
import { verificationModule } from './verification';
import { assistantModule } from './assistant';
import { calendarAdminModule } from './calendar-admin';
import { directoryModule } from './directory';
import { complaintsModule } from './complaints';
import { exemptionsModule } from './exemptions';
import { escalationsModule } from './escalations';
import { accountabilityModule } from './accountability';
import { supervisionModule } from './supervision';
import { meetingModule } from './meeting';
import { consoleModule } from './console';
import { housekeepingModule } from './housekeeping';
import { dataServicesModule } from './data-services';

/** Every feature module, registered in this order by the composition root. */
export const MODULES: Module[] = [
  calendarAdminModule,
  directoryModule,
  verificationModule,
  complaintsModule,
  exemptionsModule,
  escalationsModule,
  accountabilityModule,
  supervisionModule,
  meetingModule,
  assistantModule,
  consoleModule,
  housekeepingModule,
  dataServicesModule,
];

/** Every job the modules declare, in module order: what one sweep runs. */
export function collectJobs(deps: JobDeps, modules: Module[] = MODULES): Job[] {
  return modules.flatMap((m) => m.jobs?.(deps) ?? []);
}
