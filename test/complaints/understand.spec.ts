import { expect } from 'chai';
import { type Fields, understand } from '../../src/complaints/understand';
import { DIRECTORY, EXAMPLES, type Example, QUOTED, STRICT_FIELDS } from './understand.examples';

function actual(f: Fields): Record<string, unknown> {
  const top = f.agencies?.[0];
  return {
    ...f,
    agency: top?.name,
    agencyCode: top ? top.code : undefined,
    agencies: (f.agencies ?? []).map((a) => a.name),
    dates: f.dates?.map((d) => d.text),
  };
}

function check(e: Example): void {
  const got = understand(e.text, { directory: DIRECTORY, expect: e.expect });
  const a = actual(got.fields);
  const label = `${JSON.stringify(e.text)} -> ${JSON.stringify(got)}`;
  expect(got.intent, label).to.equal(e.intent);
  const want = e.fields ?? {};
  for (const [k, v] of Object.entries(want)) {
    if (k === 'searchTerms') {
      expect((a.searchTerms as string[] | undefined) ?? [], label).to.include.members(v as string[]);
    } else {
      expect(a[k], `${k}: ${label}`).to.deep.equal(v);
    }
  }
  for (const k of STRICT_FIELDS) {
    if (!(k in want)) expect(a[k], `${k} must be absent: ${label}`).to.equal(undefined);
  }
}

describe('complaints/understand: the example table', () => {
  it('holds at least 200 sentences, every quoted line among them', () => {
    expect(EXAMPLES.length).to.be.at.least(200);
    expect(QUOTED.length).to.be.at.least(25);
  });
  for (const e of EXAMPLES) {
    it(`${JSON.stringify(e.text.length > 40 ? `${e.text.slice(0, 40)}…` : e.text)}${e.expect ? ` [${e.expect}]` : ''} is ${e.intent}`, () => check(e));
  }
});
