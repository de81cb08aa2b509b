import { Foundation1764140000000 } from './1764140000000-Foundation';
import { Calendar1764140000050 } from './1764140000050-Calendar';
import { Verification1764140000200 } from './1764140000200-Verification';

/** Every migration, oldest first. Never edit one after it has landed: add a new one. */
export const ALL_MIGRATIONS = [Foundation1764140000000, Calendar1764140000050, Verification1764140000200];
