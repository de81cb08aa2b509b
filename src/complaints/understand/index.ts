/**
 * Understanding what citizens write in the complaint chat: intent and fields from whole
 * sentences, agency aliases, exemption search terms, choice matching, long stories.
 * Pure functions over data tables the office can extend.
 *
 * How the conversation uses it: call `understand(text, { expect, directory, aliases,
 * synonyms })` with `expect` set from the question being asked (agency, facts, request,
 * name, phone for free-text steps; choice or confirm for menus; case_number at 查询进度;
 * search in the exemption lookup; after_result once a result was sent). At a free-text
 * step the intent is `unknown` unless the message is a command (cancel, restart, back,
 * human, supplement), and the fields say what the answer holds. Menus go through
 * `matchChoice`, whose `repeat` outcome carries the sentence that lists the choices again.
 */
export { understand, extractFields, INTENTS } from './understand';
export type { Intent, Expect, Fields, Understanding, UnderstandContext } from './understand';
export { findAgencies, agencyMentions, agencyNameProblem, containsUrl, mergeAliases, MAX_AGENCY_GUESSES } from './agencies';
export type { AgencyGuess, AgencyNameProblem, AgencyOptions, AliasTable } from './agencies';
export { extractContacts, extractName, extractCertificate, extractDates, extractCaseNumber, groundHint, proxyStatement } from './fields';
export type { Contacts, DateMention, ProxyStatement } from './fields';
export { expandSearchTerms, searchGroups, coreTerms, mergeSynonyms } from './search-terms';
export type { SynonymTable } from './search-terms';
export { matchChoice } from './choice';
export type { ChoiceOption, ChoiceOutcome, ChoiceVia } from './choice';
export { splitLongText, parseChoiceNumber, STORY_PART_CHARS } from './text';
export type { SplitText } from './text';
export { UNDERSTAND_TEXT, repeatChoices } from './messages';
export { DEFAULT_AGENCY_ALIASES, DEFAULT_SYNONYMS } from './tables';
