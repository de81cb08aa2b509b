import { expect } from 'chai';
import { QueryFailedError } from 'typeorm';
import { describeError } from '../../src/errors';

describe('error logging', () => {
  it('logs only the code of a database error, never the values it quotes', () => {
    const driverError = Object.assign(new Error("Duplicate entry '370323199001011234' for key 'uq'"), { code: 'ER_DUP_ENTRY', errno: 1062 });
    const e = new QueryFailedError('INSERT INTO t VALUES (?)', ['370323199001011234'], driverError);
    const logged = JSON.stringify(describeError(e));
    expect(logged).to.include('ER_DUP_ENTRY');
    expect(logged).to.not.include('370323199001011234');
  });

  it('keeps message and stack of an ordinary error', () => {
    const d = describeError(new TypeError('x is undefined')) as Record<string, unknown>;
    expect(d.name).to.equal('TypeError');
    expect(d.message).to.equal('x is undefined');
    expect(String(d.stack)).to.include('TypeError');
  });
});
