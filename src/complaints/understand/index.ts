/**
 * Understanding what citizens write in the complaint chat: intent and fields from whole
 * sentences, agency aliases, exemption search terms, choice matching, long stories.
 * Pure functions over data tables the office can extend.
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
