/** The id rules are the domain's (shared/domain/ids.ts); re-exported here for their many users. */
export * from './domain/ids.js';
