import { Module } from './module';
import { verificationModule } from './verification';
import { assistantModule } from './assistant';
import { calendarModule } from './calendar/admin';
import { complaintsModule } from './complaints';
import { exemptionsModule } from './exemptions';
import { schedulerModule } from './scheduler';
import { accountabilityModule } from './accountability';
import { supervisionModule } from './supervision';
import { meetingModule } from './meeting';
import { consoleModule } from './console';

/** Every feature module, registered in this order by the composition root. */
export const MODULES: Module[] = [calendarModule, verificationModule, complaintsModule, exemptionsModule, schedulerModule, accountabilityModule, supervisionModule, meetingModule, assistantModule, consoleModule];
