import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { Staff, VerificationRequest } from '../../entities';
import { isOfficeMember, officeMembers, ownerAndLiaisons, requesterTargets, unitContacts, unitLiaisons } from '../../src/directory/who';
import { clearTables, testDataSource } from '../helpers/db';
import { DirectoryMother, UnitSpec } from '../helpers/mothers/directory';
import { seedDirectory } from '../helpers/seed';

const TODAY = '2026-11-26';

function units(): UnitSpec[] {
  const all = DirectoryMother.standard();
  const office = all.find((u) => u.isOffice)!;
  office.staff.push({ userid: 'office.away', name: '外出值班', role: 'member', away: true, awayUntil: '2026-11-30' });
  const gaj = all.find((u) => u.code === 'GAJ')!;
  gaj.staff.push({ userid: 'gaj.liaison2', name: '公安联络员二', role: 'liaison', away: true, awayUntil: null });
  return [...all, DirectoryMother.noLiaison()];
}

function request(over: Partial<VerificationRequest>): VerificationRequest {
  return Object.assign(new VerificationRequest(), { issuerUnit: 'GAJ', requesterUnit: 'RSJ', assignee: null, requestedBy: null, ...over });
}

describe('directory / who', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => {
    await clearTables(ds);
    await seedDirectory(ds, units());
  });

  it('office members: all of them, or those present on a day', async () => {
    const m = ds.manager;
    expect((await officeMembers(m)).map((s) => s.userid)).to.deep.equal(['office.away', 'office.duty']);
    expect((await officeMembers(m, { presentOn: TODAY })).map((s) => s.userid)).to.deep.equal(['office.duty']);
    expect((await officeMembers(m, { presentOn: '2026-12-01' })).map((s) => s.userid)).to.deep.equal(['office.away', 'office.duty']);
  });

  it('everyone when all are away: somebody must hear it', async () => {
    await ds.getRepository(Staff).update({ unitCode: 'OFFICE' }, { away: true, awayUntil: null });
    expect((await officeMembers(ds.manager, { presentOn: TODAY })).map((s) => s.userid)).to.deep.equal(['office.away', 'office.duty']);
  });

  it('is an office member: the staff row for the office, null for a unit member or a stranger', async () => {
    expect((await isOfficeMember(ds.manager, 'office.duty'))?.unitCode).to.equal('OFFICE');
    expect(await isOfficeMember(ds.manager, 'gaj.liaison')).to.equal(null);
    expect(await isOfficeMember(ds.manager, 'nobody')).to.equal(null);
  });

  it('liaisons present first; the owner and the liaisons; the requester side', async () => {
    const m = ds.manager;
    expect((await unitLiaisons(m, 'GAJ', TODAY)).map((s) => s.userid)).to.deep.equal(['gaj.liaison']);
    expect(await ownerAndLiaisons(m, request({ assignee: 'gaj.a' }), TODAY)).to.deep.equal(['gaj.a', 'gaj.liaison']);
    expect(await ownerAndLiaisons(m, request({ assignee: 'gaj.liaison' }), TODAY)).to.deep.equal(['gaj.liaison']);
    expect(await requesterTargets(m, request({}), TODAY)).to.deep.equal(['rsj.liaison']);
    expect(await requesterTargets(m, request({ requestedBy: 'rsj.b' }), TODAY)).to.deep.equal(['rsj.b']);
    expect(await requesterTargets(m, request({ requesterUnit: 'WJJ' }), TODAY)).to.deep.equal(['wjj.a']);
  });

  it('unit contacts: the liaisons; without any, the deputies (or only deputy A)', async () => {
    const m = ds.manager;
    expect(await unitContacts(m, 'GAJ')).to.deep.equal(['gaj.liaison', 'gaj.liaison2']);
    expect(await unitContacts(m, 'WJJ')).to.deep.equal(['wjj.a', 'wjj.b']);
    expect(await unitContacts(m, 'WJJ', { deputies: 'A' })).to.deep.equal(['wjj.a']);
  });
});
