import { Foundation1764140000000 } from './1764140000000-Foundation';
import { Calendar1764140000050 } from './1764140000050-Calendar';
import { Verification1764140000200 } from './1764140000200-Verification';
import { Exemptions1764140000300 } from './1764140000300-Exemptions';
import { Complaints1764140000400 } from './1764140000400-Complaints';
import { Scheduler1764140000500 } from './1764140000500-Scheduler';
import { Console1764140001000 } from './1764140001000-Console';

/** Every migration, oldest first. Never edit one after it has landed: add a new one. */
export const ALL_MIGRATIONS = [Foundation1764140000000, Calendar1764140000050, Verification1764140000200, Exemptions1764140000300, Complaints1764140000400, Scheduler1764140000500, Console1764140001000];
