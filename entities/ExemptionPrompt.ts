import { Entity, PrimaryColumn, Column } from 'typeorm';

/**
 * What the bot waits for from one member in the chat: the filled application form, or
 * the comment for a return/rejection. One open prompt per member; a new one replaces it.
 */
@Entity('exemption_prompts')
export class ExemptionPrompt {
  @PrimaryColumn({ type: 'varchar', length: 64 }) userid: string;
  @Column({ type: 'varchar', length: 20 }) kind: 'apply_form' | 'apply_confirm' | 'review_comment';
  /** apply: the draft application (0 = none); review: the application under review. */
  @Column({ name: 'application_id', type: 'integer' }) applicationId: number;
  /** JSON: apply: {kind, fields?}; review: {decision, responseCode}. */
  @Column({ type: 'text' }) data: string;
  /** Increases with each new prompt, so a stale confirmation card is recognised. */
  @Column({ type: 'integer' }) seq: number;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt: Date;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt: Date;
}
