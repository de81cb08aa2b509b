import type { StaffRole, AbRole } from '../../../entities/Staff';

export interface StaffSpec {
  userid: string;
  name: string;
  role: StaffRole;
  ab?: AbRole | null;
  mobile?: string | null;
  away?: boolean;
  awayUntil?: string | null;
}

export interface UnitSpec {
  code: string;
  name: string;
  isOffice?: boolean;
  staff: StaffSpec[];
}

/** A unit at the Art. 6 minimum: one liaison, deputy A, deputy B. */
function fullUnit(code: string, name: string, prefix: string): UnitSpec {
  return {
    code,
    name,
    staff: [
      { userid: `${prefix}.liaison`, name: `${name.slice(1, 3)}联络员`, role: 'liaison', mobile: '13800001111' },
      { userid: `${prefix}.a`, name: `${name.slice(1, 3)}代办A`, role: 'deputy', ab: 'A' },
      { userid: `${prefix}.b`, name: `${name.slice(1, 3)}代办B`, role: 'deputy', ab: 'B' },
    ],
  };
}

/** Object mother for the directory (Codely style): named situations, not copied literals. */
export const DirectoryMother = {
  /** The requesting unit (人社局), the issuing unit (公安局), an outsider unit and the office. */
  standard(): UnitSpec[] {
    return [
      fullUnit('RSJ', '县人社局', 'rsj'),
      fullUnit('GAJ', '县公安局', 'gaj'),
      fullUnit('SCJ', '县市场局', 'scj'),
      { code: 'OFFICE', name: '联席会议办公室', isOffice: true, staff: [{ userid: 'office.duty', name: '办公室值班', role: 'member' }] },
    ];
  },

  /** Issuing unit with deputies only: no liaison at all (refused). */
  noLiaison(code = 'WJJ'): UnitSpec {
    return { code, name: '县卫健局', staff: [{ userid: 'wjj.a', name: '卫健代办A', role: 'deputy', ab: 'A' }, { userid: 'wjj.b', name: '卫健代办B', role: 'deputy', ab: 'B' }] };
  },

  /** A liaison only: below the minimum, still routed, flagged. */
  thin(code = 'MZJ'): UnitSpec {
    return { code, name: '县民政局', staff: [{ userid: 'mzj.liaison', name: '民政联络员', role: 'liaison' }] };
  },

  /** Every member the emulator should know (userid, name). */
  members(units: UnitSpec[]): Array<{ userid: string; name: string }> {
    return units.flatMap((u) => u.staff.map((s) => ({ userid: s.userid, name: s.name })));
  },


  /** CSV text of units and staff (header as in the README). */
  csv(units: UnitSpec[], header = 'unit_code,unit_name,is_office,userid,name,role,ab,mobile,away,away_until'): string {
    const lines = [header];
    for (const u of units) {
      for (const s of u.staff) {
        lines.push([u.code, u.name, u.isOffice ? '是' : '否', s.userid, s.name, s.role, s.ab ?? '', s.mobile ?? '', s.away ? '是' : '否', s.awayUntil ?? ''].join(','));
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  },
};
