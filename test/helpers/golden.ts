import fs from 'fs';
import path from 'path';
import { expect } from 'chai';

/** The repository root (compiled tests run from dist/ or .build/, deeper than the sources). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const GOLDEN_DIR = path.join(repoRoot(), 'test', 'fixtures', 'cards');

/**
 * Golden files (Probot style): a card's JSON must equal test/fixtures/cards/NAME.json.
 * Rewritten only on purpose, with UPDATE_GOLDEN=1; a missing file fails the test.
 */
export function expectGolden(name: string, card: unknown): void {
  const file = path.join(GOLDEN_DIR, name.endsWith('.json') ? name : `${name}.json`);
  const text = `${JSON.stringify(card, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    fs.writeFileSync(file, text);
  }
  if (!fs.existsSync(file)) throw new Error(`golden file ${file} is missing (UPDATE_GOLDEN=1 writes it on purpose)`);
  expect(JSON.parse(text), `golden ${name}`).to.deep.equal(JSON.parse(fs.readFileSync(file, 'utf8')));
}
