import { expect } from 'chai';
import { isValidIdNumber, idCheckChar } from '../../src/verification/id-number';
import { maskName, maskIdNumber, maskPhone, maskFreeText } from '../../src/verification/mask';
import { parseCommand } from '../../src/verification/chat';
import { routeRecipients } from '../../src/verification/service';
import { unitStrength, isAway } from '../../src/directory/rules';
import { SessionSigner } from '../../src/verification/session';
import { Staff } from '../../entities';
import { AppError } from '../../src/errors';

function staff(userid: string, role: string, ab: 'A' | 'B' | null = null, away = false, awayUntil: string | null = null): Staff {
  return Object.assign(new Staff(), { userid, role, ab, away, awayUntil, unitCode: 'X', name: userid });
}

describe('verification: pure rules', () => {
  it('GB 11643: check character (MOD 11-2), X, birth date', () => {
    // Published example of the standard: 11010519491231002X.
    expect(isValidIdNumber('11010519491231002X')).to.equal(true);
    expect(isValidIdNumber('11010519491231002x')).to.equal(true);
    expect(isValidIdNumber('110105194912310021')).to.equal(false);
    expect(idCheckChar('44052418800101001')).to.equal('4');
    expect(isValidIdNumber('440524188001010014')).to.equal(true);
    expect(isValidIdNumber('440524188002300014'), 'no 30 February').to.equal(false);
    expect(isValidIdNumber('44052418800101001')).to.equal(false);
    expect(isValidIdNumber('04052418800101001X')).to.equal(false);
    expect(isValidIdNumber('4405241880010100１4')).to.equal(false);
  });

  it('masks names, ID numbers, phones and free text', () => {
    expect(maskName('张三')).to.equal('张*');
    expect(maskName('张小三')).to.equal('张*三');
    expect(maskName('欧阳娜娜')).to.equal('欧**娜');
    expect(maskName('王')).to.equal('*');
    expect(maskIdNumber('370323199003071234')).to.equal('370323********1234');
    expect(maskPhone('13812341234')).to.equal('138****1234');
    expect(maskFreeText('号码11010519491231002X，电话13812341234，编号HC20261126-0001')).to.equal('号码110105********002X，电话138****1234，编号HC20261126-0001');
  });

  it('reads the chat words of CONTRACT.md, with or without a number', () => {
    expect(parseCommand('核验一致')).to.deep.equal({ word: '核验一致', number: null });
    expect(parseCommand(' 核验不一致 hc20261126-0012 ')).to.deep.equal({ word: '核验不一致', number: 'HC20261126-0012' });
    expect(parseCommand('转纸质档案：HC20261126-0001')).to.deep.equal({ word: '转纸质档案', number: 'HC20261126-0001' });
    expect(parseCommand('转历史档案')).to.deep.equal({ word: '转历史档案', number: null });
    expect(parseCommand('核验一致吗')).to.equal(null);
    expect(parseCommand('你好')).to.equal(null);
  });

  it('routes to the liaisons and deputy A; deputy B only when no A is present', () => {
    const unit = [staff('l', 'liaison'), staff('a', 'deputy', 'A'), staff('b', 'deputy', 'B'), staff('m', 'member')];
    expect(routeRecipients(unit, '2026-11-26').recipients.map((s) => s.userid)).to.deep.equal(['l', 'a']);
    const aAway = [staff('l', 'liaison'), staff('a', 'deputy', 'A', true, '2026-11-26'), staff('b', 'deputy', 'B')];
    expect(routeRecipients(aAway, '2026-11-26').recipients.map((s) => s.userid)).to.deep.equal(['l', 'b']);
    expect(routeRecipients(aAway, '2026-11-27').recipients.map((s) => s.userid), 'away ended').to.deep.equal(['l', 'a']);
    const allAway = [staff('l', 'liaison', null, true), staff('a', 'deputy', 'A', true), staff('b', 'deputy', 'B', true)];
    expect(routeRecipients(allAway, '2026-11-26').recipients.map((s) => s.userid), 'the accountable person anyway').to.deep.equal(['l']);
    expect(() => routeRecipients([staff('a', 'deputy', 'A')], '2026-11-26')).to.throw(AppError).with.property('code', 'unit_no_liaison');
  });

  it('Art. 6 strength and gaps; away with and without an end date', () => {
    expect(unitStrength([{ role: 'liaison', ab: null }, { role: 'deputy', ab: 'A' }, { role: 'deputy', ab: 'B' }]).gaps).to.deep.equal([]);
    expect(unitStrength([{ role: 'deputy', ab: 'A' }, { role: 'deputy', ab: 'A' }]).gaps).to.deep.equal(['no_liaison', 'no_deputy_b']);
    expect(unitStrength([], true).gaps).to.deep.equal([]);
    expect(isAway({ away: true, awayUntil: null }, '2030-01-01')).to.equal(true);
    expect(isAway({ away: true, awayUntil: '2026-11-26' }, '2026-11-26')).to.equal(true);
    expect(isAway({ away: true, awayUntil: '2026-11-25' }, '2026-11-26')).to.equal(false);
    expect(isAway({ away: false, awayUntil: null }, '2026-11-26')).to.equal(false);
  });

  it('session cookies: signed, expiring, bound to the secret', () => {
    const s = new SessionSigner('secret-one');
    const now = new Date('2026-11-26T01:00:00Z');
    const c = s.issue('gaj.a', new Date(now.getTime() + 60_000));
    expect(s.read(c, now)).to.equal('gaj.a');
    expect(s.read(c, new Date(now.getTime() + 61_000)), 'expired').to.equal(null);
    expect(new SessionSigner('secret-two').read(c, now), 'another key').to.equal(null);
    const [payload, mac] = c.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'office.duty', e: now.getTime() + 60_000 })).toString('base64url');
    expect(s.read(`${forged}.${mac}`, now)).to.equal(null);
    expect(s.read(`${payload}.${mac}x`, now)).to.equal(null);
    expect(s.readState(s.state(42))).to.equal(42);
    expect(s.readState('v43.' + s.state(42).split('.')[1])).to.equal(null);
    expect(() => new SessionSigner('')).to.throw();
  });
});
