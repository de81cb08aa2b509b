/**
 * The verification use cases, one file each: create (routing, numbering), decide (clicks,
 * answers, returns, category moves), clocks, and the ledger. Re-exported here so callers
 * keep one import path.
 */
export * from './common';
export * from './create';
export * from './decide';
export * from './returns';
export * from './clocks';
export { addLedgerEntry } from './ledger';
export type { LedgerInput } from './ledger';
