/**
 * What text shown to people may not contain (core names, e-mail addresses, customer ids,
 * messages, machine and volume names, reasons, certificate subjects): C0 and C1 control
 * characters and DEL, the line and paragraph separators U+2028/U+2029, and the bidi
 * embedding, override and isolate controls U+202A–U+202E, U+2066–U+2069. They can forge or
 * hide what an operator reads (terminal escapes, fake lines, reversed text). A multi-line
 * field (a message, a note) may hold line feeds, nothing else of the kind.
 */
export const DISPLAY_TEXT_PATTERN = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/;
export const MULTILINE_TEXT_PATTERN = /^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/;

export const DISPLAY_TEXT_RULE = 'must not contain control characters, line or paragraph separators, or bidi controls';
export const MULTILINE_TEXT_RULE = 'must not contain control characters other than line feeds, line or paragraph separators, or bidi controls';

export function isDisplayText(value: string): boolean {
  return DISPLAY_TEXT_PATTERN.test(value);
}
