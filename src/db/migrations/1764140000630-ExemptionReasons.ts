import { MigrationInterface, QueryRunner } from 'typeorm';

/** Old reason -> the Art. 6-8 reason that says the same thing. */
const RENAMED: ReadonlyArray<[kind: string, from: string, to: string]> = [
  ['add', 'new_legal_basis', 'law_requires'],
  ['change', 'unit_reorganised', 'unit_changed'],
  ['change', 'name_changed', 'item_renamed'],
  ['cancel', 'basis_repealed', 'law_removes_item'],
  ['cancel', 'item_abolished', 'government_abolished_item'],
];

/** Old reasons with no counterpart in Art. 6-8: they become `other`, explained in the note. */
const TO_OTHER: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  add: { data_sharing_available: '可通过数据共享获取', commitment_applicable: '可实行告知承诺', verification_applicable: '可由部门核验' },
  change: { basis_amended: '设定依据修改' },
  cancel: { certificate_abolished: '证明材料不再需要', issuer_unavailable: '出具单位无法提供' },
};

const MARK = /\n?〔原调整原因：[^〔〕]*（([a-z_]+)）〕$/;

function marker(label: string, code: string): string {
  return `〔原调整原因：${label}（${code}）〕`;
}

/**
 * SPEC 2 Art. 6-8: the adjustment reasons become exactly the source's lists. Stored
 * applications keep their meaning: renamed codes map one to one; the rest become `other`
 * with the old reason written into the note, which `other` requires and which lets the
 * down migration restore the old code.
 */
export class ExemptionReasons1764140000630 implements MigrationInterface {
  name = 'ExemptionReasons1764140000630';

  async up(qr: QueryRunner): Promise<void> {
    for (const [kind, from, to] of RENAMED) {
      await qr.query('UPDATE exemption_applications SET reason = ? WHERE kind = ? AND reason = ?', [to, kind, from]);
    }
    for (const [kind, codes] of Object.entries(TO_OTHER)) {
      for (const [code, label] of Object.entries(codes)) {
        const rows: Array<{ id: number; note: string | null }> = await qr.query('SELECT id, note FROM exemption_applications WHERE kind = ? AND reason = ?', [kind, code]);
        for (const r of rows) {
          const note = r.note?.trim() ? `${r.note}\n${marker(label, code)}` : marker(label, code);
          await qr.query('UPDATE exemption_applications SET reason = ?, note = ? WHERE id = ?', ['other', note, r.id]);
        }
      }
    }
  }

  async down(qr: QueryRunner): Promise<void> {
    const rows: Array<{ id: number; note: string | null }> = await qr.query("SELECT id, note FROM exemption_applications WHERE reason = 'other' AND note IS NOT NULL");
    for (const r of rows) {
      const m = MARK.exec(r.note ?? '');
      if (!m) continue;
      const rest = (r.note ?? '').slice(0, m.index);
      await qr.query('UPDATE exemption_applications SET reason = ?, note = ? WHERE id = ?', [m[1], rest || null, r.id]);
    }
    for (const [kind, from, to] of RENAMED) {
      await qr.query('UPDATE exemption_applications SET reason = ? WHERE kind = ? AND reason = ?', [from, kind, to]);
    }
    // certificate_changed has no old code of its own: "name_changed" covered it
    await qr.query("UPDATE exemption_applications SET reason = 'name_changed' WHERE kind = 'change' AND reason = 'certificate_changed'");
  }
}
