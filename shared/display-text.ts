/** The display-text rules are the domain's (shared/domain/display-text.ts); re-exported here for their users. */
export * from './domain/display-text.js';
