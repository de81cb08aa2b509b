import { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTable } from '../columns';

/**
 * Deadlines that enforce themselves (SPEC 1 Art. 7, 10, 11, 13), accountability evidence
 * (SPEC 4) and the joint meeting (SPEC 5).
 */
export class Scheduler1764140000500 implements MigrationInterface {
  name = 'Scheduler1764140000500';

  async up(qr: QueryRunner): Promise<void> {
    await createTable(qr, 'deadline_trackers', [
      col.id(),
      col.int('request_id'),
      col.at('next_stage_at', { isNullable: true }),
      col.str('state', 12),
      col.int('level', { default: 0 }),
      col.int('order_id', { isNullable: true }),
      col.int('failures', { default: 0 }),
      col.str('last_error', 500, { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [
      { name: 'uq_deadline_tracker_request', columnNames: ['request_id'], isUnique: true },
      { name: 'ix_deadline_tracker_next', columnNames: ['next_stage_at'] },
    ]);
    await createTable(qr, 'deadline_stage_claims', [
      col.id(),
      col.int('request_id'),
      col.str('stage', 40),
      col.str('outcome', 12),
      col.str('note', 100, { isNullable: true }),
      col.text('recipients', { isNullable: true }),
      col.at('planned_at'),
      col.at('fired_at'),
    ], [{ name: 'uq_deadline_stage_claim', columnNames: ['request_id', 'stage'], isUnique: true }]);
    await createTable(qr, 'escalations', [
      col.id(),
      col.int('request_id'),
      col.str('stage', 40),
      col.int('level'),
      col.int('order_id', { isNullable: true }),
      col.str('number', 20),
      col.str('requester_unit', 40),
      col.str('issuer_unit', 40),
      col.str('owner', 64, { isNullable: true }),
      col.str('category', 12),
      col.at('missed_due_at'),
      col.at('escalated_at'),
      col.int('late_minutes'),
      col.str('group_state', 12),
      col.str('group_channel', 12, { isNullable: true }),
      col.int('group_outbox_id', { isNullable: true }),
      col.at('announced_at', { isNullable: true }),
      col.text('office_members', { isNullable: true }),
    ], [
      { name: 'uq_escalation_stage', columnNames: ['request_id', 'stage'], isUnique: true },
      { name: 'ix_escalation_group', columnNames: ['group_state', 'id'] },
      { name: 'ix_escalation_at', columnNames: ['escalated_at'] },
    ]);
    await createTable(qr, 'office_orders', [
      col.id(),
      col.int('escalation_id'),
      col.int('request_id'),
      col.str('kind', 12),
      col.str('actor', 100),
      col.at('complete_by', { isNullable: true }),
      col.str('preset', 12, { isNullable: true }),
      col.text('note', { isNullable: true }),
      col.at('created_at'),
    ], [
      { name: 'ix_office_order_request', columnNames: ['request_id', 'created_at'] },
      { name: 'ix_office_order_escalation', columnNames: ['escalation_id'] },
    ]);
    await createTable(qr, 'accountability_cases', [
      col.id(),
      col.str('source_key', 100),
      col.str('ground', 24),
      col.str('unit_code', 40),
      col.str('person_userid', 64, { isNullable: true }),
      col.str('person_role', 12, { isNullable: true }),
      col.int('request_id', { isNullable: true }),
      col.text('facts'),
      col.at('occurred_at'),
      col.str('status', 12),
      col.str('outcome', 24, { isNullable: true }),
      col.text('outcome_note', { isNullable: true }),
      col.str('rectify_by', 10, { isNullable: true }),
      col.str('decided_by', 100, { isNullable: true }),
      col.at('decided_at', { isNullable: true }),
      col.str('appeal_state', 12, { isNullable: true }),
      col.text('appeal_reason', { isNullable: true }),
      col.at('appealed_at', { isNullable: true }),
      col.at('appeal_decided_at', { isNullable: true }),
      col.str('exemption_ground', 24, { isNullable: true }),
      col.text('exemption_note', { isNullable: true }),
      col.at('exempted_at', { isNullable: true }),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [
      { name: 'uq_acc_case_source', columnNames: ['source_key'], isUnique: true },
      { name: 'ix_acc_case_unit', columnNames: ['unit_code', 'occurred_at'] },
      { name: 'ix_acc_case_person', columnNames: ['person_userid', 'occurred_at'] },
      { name: 'ix_acc_case_status', columnNames: ['status', 'occurred_at'] },
      { name: 'ix_acc_case_request', columnNames: ['request_id'] },
    ]);
    await createTable(qr, 'accountability_events', [
      col.id(),
      col.int('case_id'),
      col.at('at'),
      col.str('type', 30),
      col.str('actor', 100, { isNullable: true }),
      col.text('data', { isNullable: true }),
    ], [{ name: 'ix_acc_event_case', columnNames: ['case_id', 'at'] }]);
    await createTable(qr, 'joint_meetings', [
      col.id(),
      col.str('kind', 12),
      col.str('title', 200),
      col.at('scheduled_at'),
      col.str('place', 200, { isNullable: true }),
      col.str('status', 12),
      col.text('minutes', { isNullable: true }),
      col.at('minutes_sent_at', { isNullable: true }),
      col.str('created_by', 100),
      col.at('created_at'),
      col.at('updated_at'),
      col.int('version'),
    ], [{ name: 'ix_meeting_status_at', columnNames: ['status', 'scheduled_at'] }]);
    await createTable(qr, 'joint_meeting_units', [
      col.id(),
      col.int('meeting_id'),
      col.str('unit_code', 40),
      col.at('reminded_at', { isNullable: true }),
      col.at('minutes_sent_at', { isNullable: true }),
      col.at('acknowledged_at', { isNullable: true }),
      col.str('acknowledged_by', 100, { isNullable: true }),
      col.text('progress', { isNullable: true }),
      col.at('progress_at', { isNullable: true }),
    ], [{ name: 'uq_meeting_unit', columnNames: ['meeting_id', 'unit_code'], isUnique: true }]);
    await createTable(qr, 'joint_meeting_agenda_items', [
      col.id(),
      col.int('meeting_id', { isNullable: true }),
      col.str('unit_code', 40, { isNullable: true }),
      col.str('proposed_by', 100),
      col.text('text'),
      col.str('via', 12),
      col.at('proposed_at'),
    ], [{ name: 'ix_meeting_agenda', columnNames: ['meeting_id', 'proposed_at'] }]);
    await createTable(qr, 'scheduler_state', [
      col.str('key', 60, { isPrimary: true }),
      col.text('value'),
      col.at('updated_at'),
      col.str('updated_by', 100, { isNullable: true }),
    ]);
    await createTable(qr, 'scheduler_claims', [
      col.id(),
      col.str('claim_key', 190),
      col.str('job', 40),
      col.at('at'),
      col.text('detail', { isNullable: true }),
    ], [{ name: 'uq_scheduler_claim_key', columnNames: ['claim_key'], isUnique: true }]);
  }

  async down(qr: QueryRunner): Promise<void> {
    for (const t of [
      'scheduler_claims',
      'scheduler_state',
      'joint_meeting_agenda_items',
      'joint_meeting_units',
      'joint_meetings',
      'accountability_events',
      'accountability_cases',
      'office_orders',
      'escalations',
      'deadline_stage_claims',
      'deadline_trackers',
    ]) {
      await qr.dropTable(t, true);
    }
  }
}
