import { Brackets, SelectQueryBuilder } from 'typeorm';
import { VerificationRequest } from '../../entities';
import type { ConsoleUser } from './session';

/** Office members and auditors see every unit; unit staff only requests of their unit (either side). */
export function seesAll(u: ConsoleUser): boolean {
  return u.role === 'office' || u.role === 'auditor';
}

export function mayView(u: ConsoleUser, req: Pick<VerificationRequest, 'requesterUnit' | 'issuerUnit'>): boolean {
  return seesAll(u) || (!!u.unitCode && (req.requesterUnit === u.unitCode || req.issuerUnit === u.unitCode));
}

export function scopeRequests<T extends object>(qb: SelectQueryBuilder<T>, u: ConsoleUser, alias = 'r'): SelectQueryBuilder<T> {
  if (seesAll(u)) return qb;
  return qb.andWhere(new Brackets((w) => w.where(`${alias}.requester_unit = :scopeUnit`).orWhere(`${alias}.issuer_unit = :scopeUnit`)), { scopeUnit: u.unitCode ?? '' });
}
