/**
 * Matching an answer to the choices on offer: a number (1, １, 一, 第一个), the label or
 * part of it, one of the option's own words, or a yes/no word for an option that stands
 * for yes or no. Anything else gives "repeat the choices", never an error. Pure.
 */
import { repeatChoices } from './messages';
import { INTENT_WORDS } from './tables';
import { dropParticles, parseChoiceNumber, squash } from './text';

export interface ChoiceOption {
  id: string;
  label: string;
  /** Other words that pick this option ("本人", "自己" for 本人投诉). */
  words?: readonly string[];
  /** The option a plain yes (好/对/嗯/可以) or no (不是/不用) picks. */
  role?: 'yes' | 'no';
}

export type ChoiceVia = 'number' | 'label' | 'word' | 'partial' | 'yes' | 'no';

export type ChoiceOutcome =
  | { kind: 'picked'; index: number; id: string; via: ChoiceVia }
  /** A navigation word; the caller handles it as it does everywhere. */
  | { kind: 'command'; command: 'back' | 'cancel' | 'restart' | 'human' }
  /** A bare yes/no when no option has that role: the caller decides what it means here. */
  | { kind: 'yes' }
  | { kind: 'no' }
  /** Nothing, or more than one option, fits: `reply` repeats the choices (only those that fit, when several do). */
  | { kind: 'repeat'; reply: string; among: number[] };

const YES = new Set<string>(INTENT_WORDS.yes);
const NO = new Set<string>(INTENT_WORDS.no);
const BACK = new Set<string>(INTENT_WORDS.back);
const CANCEL = new Set<string>(INTENT_WORDS.cancel);
const RESTART = new Set<string>(INTENT_WORDS.restart);
const HUMAN = new Set<string>(INTENT_WORDS.human);

function inSet(set: Set<string>, w: string): boolean {
  return dropParticles(w).some((x) => set.has(x));
}

export function matchChoice(text: string, options: readonly ChoiceOption[]): ChoiceOutcome {
  const all = options.map((_, i) => i);
  const w = squash(text);
  if (w.length === 0 || options.length === 0) return { kind: 'repeat', reply: repeatChoices(options, all), among: all };

  const n = parseChoiceNumber(text);
  if (n !== null) {
    if (n <= options.length) return picked(options, n - 1, 'number');
    return { kind: 'repeat', reply: repeatChoices(options, all), among: all };
  }

  const labels = options.map((o) => squash(o.label));
  const exact = labels.findIndex((l) => l === w);
  if (exact >= 0) return picked(options, exact, 'label');
  const byWord = options.findIndex((o) => (o.words ?? []).some((x) => squash(x) === w || dropParticles(w).includes(squash(x))));
  if (byWord >= 0) return picked(options, byWord, 'word');

  if (inSet(BACK, w)) return { kind: 'command', command: 'back' };
  if (inSet(CANCEL, w)) return { kind: 'command', command: 'cancel' };
  if (inSet(RESTART, w)) return { kind: 'command', command: 'restart' };
  if (inSet(HUMAN, w)) return { kind: 'command', command: 'human' };

  if (inSet(YES, w)) {
    const i = options.findIndex((o) => o.role === 'yes');
    return i >= 0 ? picked(options, i, 'yes') : { kind: 'yes' };
  }
  if (inSet(NO, w)) {
    const i = options.findIndex((o) => o.role === 'no');
    return i >= 0 ? picked(options, i, 'no') : { kind: 'no' };
  }

  // Partial: the answer inside a label ("代他人"), or a label inside the answer ("就选本人投诉吧").
  const inLabel = labels.map((l, i) => (w.length >= 2 && l.includes(w) ? i : -1)).filter((i) => i >= 0);
  if (inLabel.length === 1) return picked(options, inLabel[0], 'partial');
  const labelIn = labels
    .map((l, i) => ({ i, l }))
    .filter(({ l }) => l.length >= 2 && w.includes(l))
    .sort((a, b) => b.l.length - a.l.length);
  if (labelIn.length === 1 || (labelIn.length > 1 && labelIn[0].l.length > labelIn[1].l.length)) return picked(options, labelIn[0].i, 'partial');
  const wordIn = options
    .map((o, i) => ((o.words ?? []).some((x) => squash(x).length >= 2 && w.includes(squash(x))) ? i : -1))
    .filter((i) => i >= 0);
  if (wordIn.length === 1) return picked(options, wordIn[0], 'partial');

  // Shared characters, for a near miss ("代理投诉" for 代他人投诉): a clear winner only.
  const scores = labels.map((l) => overlap(w, l));
  const best = Math.max(...scores);
  const winners = scores.map((s, i) => (s === best ? i : -1)).filter((i) => i >= 0);
  if (best >= 0.6 && winners.length === 1) return picked(options, winners[0], 'partial');

  const among = inLabel.length > 1 ? inLabel : all;
  return { kind: 'repeat', reply: repeatChoices(options, among), among };
}

function picked(options: readonly ChoiceOption[], index: number, via: ChoiceVia): ChoiceOutcome {
  return { kind: 'picked', index, id: options[index].id, via };
}

/** Share of the answer's characters found in the label, in order (longest common subsequence). */
function overlap(answer: string, label: string): number {
  const a = Array.from(answer);
  const b = Array.from(label);
  if (a.length < 2) return 0;
  const dp = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = a[i - 1] === b[j - 1] ? prev + 1 : Math.max(dp[j], dp[j - 1]);
      prev = tmp;
    }
  }
  return dp[b.length] / Math.max(a.length, b.length);
}
