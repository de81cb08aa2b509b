/**
 * Application errors carry a stable code; one HTTP middleware maps codes to statuses
 * and the JSON body `{"error": {"code", "message"}}` (CONTRACT.md).
 */
export const ERROR_STATUS = {
  // transport / callback
  wecom_signature_invalid: 401,
  wecom_decrypt_failed: 400,
  wecom_corp_mismatch: 403,
  wecom_agent_mismatch: 403,
  wecom_xml_invalid: 400,
  wecom_body_too_large: 413,
  wecom_body_empty: 400,
  wecom_timestamp_stale: 400,
  wecom_api_error: 502,
  // generic
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  not_ready: 503,
  // calendar
  deadline_calendar_missing_year: 422,
  calendar_invalid: 422,
  // directory
  unit_not_found: 404,
  staff_not_found: 404,
  unit_no_liaison: 422,
  directory_import_invalid: 422,
  // verification
  verification_not_found: 404,
  verification_conflict: 409,
  verification_invalid_state: 409,
  verification_not_owner: 403,
  verification_reason_required: 422,
  unit_unknown: 422,
  staff_unknown: 422,
  list_entry_unknown: 422,
  verification_forbidden: 403,
  verification_deadline_passed: 409,
  verification_withdraw_expired: 409,
  id_number_invalid: 422,
  idempotency_conflict: 409,
  offline_secret_refused: 422,
  // complaints
  complaint_not_found: 404,
  complaint_invalid_state: 409,
  complaint_extension_refused: 409,
  // exemptions
  exemption_not_found: 404,
  exemption_conflict: 409,
  exemption_invalid_state: 409,
  exemption_import_invalid: 422,
  // deadlines, escalations, office actions (SPEC 1 Art. 10, 11)
  escalation_not_found: 404,
  escalation_closed: 409,
  order_deadline_past: 422,
  office_member_required: 403,
  summons_not_late: 409,
  office_action_window_over: 409,
  summons_not_found: 404,
  // accountability (SPEC 4)
  accountability_case_not_found: 404,
  accountability_invalid_state: 409,
  accountability_conflict: 409,
  accountability_not_party: 403,
  accountability_hired_own_unit: 422,
  // joint meeting (SPEC 5)
  meeting_not_found: 404,
  meeting_invalid_state: 409,
  meeting_time_past: 422,
  meeting_not_member: 403,
  meeting_not_convenor: 403,
  meeting_not_held: 409,
  // data services (秒核)
  data_service_key_missing: 503,
  data_service_exists: 409,
  data_service_not_found: 404,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, opts: { details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = opts.details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/**
 * What an unexpected error may put in the log: a database error's message can quote the
 * values of the statement (a duplicate ID number, a phone), so only its code goes in.
 */
export function describeError(e: unknown): Record<string, unknown> | string {
  if (!(e instanceof Error)) return String(e);
  const driver = (e as { driverError?: { code?: string; errno?: number } }).driverError;
  if (driver) return { name: e.name, code: driver.code, errno: driver.errno };
  return { name: e.name, message: e.message, stack: e.stack };
}
