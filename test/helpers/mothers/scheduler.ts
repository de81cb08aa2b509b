import { DirectoryMother, UnitSpec } from './directory';

/** Object mother for the deadline stages, escalations, meetings. */
export const SchedulerMother = {
  /** The standard directory with a second office member and a unit whose A is away. */
  units(): UnitSpec[] {
    const units = DirectoryMother.standard();
    const office = units.find((u) => u.code === 'OFFICE')!;
    office.staff.push({ userid: 'office.chief', name: '办公室主任', role: 'member' });
    return units;
  },
  officeChatId: 'officechat01',
};
