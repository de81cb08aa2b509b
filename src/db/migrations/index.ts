import { Foundation1764140000000 } from './1764140000000-Foundation';
import { Calendar1764140000050 } from './1764140000050-Calendar';
import { Verification1764140000200 } from './1764140000200-Verification';
import { Exemptions1764140000300 } from './1764140000300-Exemptions';
import { Complaints1764140000400 } from './1764140000400-Complaints';
import { Scheduler1764140000500 } from './1764140000500-Scheduler';
import { Conversation1764140000600 } from './1764140000600-Conversation';
import { DailyCounters1764140000610 } from './1764140000610-DailyCounters';
import { ExemptionReasons1764140000630 } from './1764140000630-ExemptionReasons';
import { CaseEmployment1764140000640 } from './1764140000640-CaseEmployment';
import { Console1764140001000 } from './1764140001000-Console';
import { OriginalDeadline1764140002100 } from './1764140002100-OriginalDeadline';
import { ReadLogAndLedger1764140002200 } from './1764140002200-ReadLogAndLedger';
import { ExemptionRounds1764140002201 } from './1764140002201-ExemptionRounds';
import { ComplaintOversight1764140002300 } from './1764140002300-ComplaintOversight';
import { CitizensUnderstood1764140002400 } from './1764140002400-CitizensUnderstood';
import { AccountabilitySteps1764140002500 } from './1764140002500-AccountabilitySteps';
import { MeetingMembers1764140002510 } from './1764140002510-MeetingMembers';
import { Summonses1764140002800 } from './1764140002800-Summonses';
import { EscalationCardsClosed1764140002801 } from './1764140002801-EscalationCardsClosed';
import { DataServices1764140003100 } from './1764140003100-DataServices';
import { DataServiceLookups1764140003101 } from './1764140003101-DataServiceLookups';
import { TrainingRecords1764140004700 } from './1764140004700-TrainingRecords';
import { ComplaintsByCitizen1764140005100 } from './1764140005100-ComplaintsByCitizen';
import { Utf8mb41764140009000 } from './1764140009000-Utf8mb4';

/** Every migration, oldest first. Never edit one after it has landed: add a new one. */
export const ALL_MIGRATIONS = [Foundation1764140000000, Calendar1764140000050, Verification1764140000200, Exemptions1764140000300, Complaints1764140000400, Scheduler1764140000500, Conversation1764140000600, DailyCounters1764140000610, ExemptionReasons1764140000630, CaseEmployment1764140000640, Console1764140001000, OriginalDeadline1764140002100, ReadLogAndLedger1764140002200, ExemptionRounds1764140002201, ComplaintOversight1764140002300, CitizensUnderstood1764140002400, AccountabilitySteps1764140002500, MeetingMembers1764140002510, Summonses1764140002800, EscalationCardsClosed1764140002801, DataServices1764140003100, DataServiceLookups1764140003101, TrainingRecords1764140004700, ComplaintsByCitizen1764140005100, Utf8mb41764140009000];
