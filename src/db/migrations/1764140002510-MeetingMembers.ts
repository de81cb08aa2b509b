import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col, createTable } from '../columns';

/**
 * SPEC 5: the members of the joint meeting (convenors, member units with their meeting
 * liaison and its history), agenda items that wait for a convenor, the liaison meeting
 * before each joint meeting, and the decisions of the minutes with their progress.
 */
export class MeetingMembers1764140002510 implements MigrationInterface {
  name = 'MeetingMembers1764140002510';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'joint_meeting_members', [
      col.id(),
      col.str('role', 20),
      col.str('unit_code', 40, { isNullable: true }),
      col.str('userid', 64, { isNullable: true }),
      col.str('liaison_userid', 64, { isNullable: true }),
      col.str('liaison_since', 10, { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
    ], [
      { name: 'uq_meeting_member_unit', columnNames: ['unit_code'], isUnique: true },
      { name: 'uq_meeting_member_user', columnNames: ['userid'], isUnique: true },
    ]);
    await createTable(qr, 'joint_meeting_liaison_changes', [
      col.id(),
      col.str('unit_code', 40),
      col.str('previous_userid', 64, { isNullable: true }),
      col.str('liaison_userid', 64),
      col.str('effective_on', 10),
      col.str('filed_by', 100),
      col.at('filed_at'),
    ], [{ name: 'ix_meeting_liaison_unit', columnNames: ['unit_code', 'effective_on'] }]);
    await createTable(qr, 'joint_meeting_decisions', [
      col.id(),
      col.int('meeting_id'),
      col.int('seq'),
      col.text('text'),
      col.str('unit_code', 40, { isNullable: true }),
      col.str('due_date', 10, { isNullable: true }),
      col.bool('consensus', { default: 1 }),
      col.text('progress', { isNullable: true }),
      col.at('progress_at', { isNullable: true }),
      col.str('progress_by', 100, { isNullable: true }),
      col.at('reminded_at', { isNullable: true }),
      col.at('county_submitted_at', { isNullable: true }),
      col.text('county_outcome', { isNullable: true }),
      col.at('county_outcome_at', { isNullable: true }),
    ], [
      { name: 'uq_meeting_decision', columnNames: ['meeting_id', 'seq'], isUnique: true },
      { name: 'ix_meeting_decision_unit', columnNames: ['unit_code', 'progress_at'] },
    ]);
    await qr.addColumns('joint_meeting_agenda_items', AGENDA().map((c) => new TableColumn(c)));
    await qr.addColumn('joint_meetings', new TableColumn(col.int('prepares_id', { isNullable: true })));
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.dropColumn('joint_meetings', 'prepares_id');
    for (const c of AGENDA().reverse()) await qr.dropColumn('joint_meeting_agenda_items', c.name);
    for (const t of ['joint_meeting_decisions', 'joint_meeting_liaison_changes', 'joint_meeting_members']) await qr.dropTable(t, true);
  }
}

/** Agenda items: approved (by a convenor, or added by one), proposed (waiting), declined. */
const AGENDA = () => [
  col.str('status', 12, { default: "'approved'" }),
  col.str('decided_by', 100, { isNullable: true }),
  col.at('decided_at', { isNullable: true }),
];
