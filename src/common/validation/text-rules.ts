/**
 * The kinds of text the service accepts, as pure functions: every input class states its text fields through the
 * decorators in validators.ts, which only call these. docs/input-rules.md says what each kind accepts and why.
 *
 * - identifier: a key compared exactly as sent (transactionId, account codes, regions, cursors). Never rewritten,
 *   so anything a client could not see or that the database would alter is refused rather than normalised.
 * - name: display text (customer, product, retailer and token names). Its edges are trimmed at the edge of the
 *   service (trimName), and the trimmed text is what is validated and stored.
 * - free text: like a name, but tabs and line breaks are allowed inside it (reasons, notes).
 * - decimal text: bounded in length before anything parses it.
 */

export type TextProblem = 'not-text' | 'lone-surrogate' | 'control' | 'empty' | 'edge-space' | 'blank' | 'too-long';

/**
 * Characters a name loses at its edges and an identifier may not have there: Unicode White_Space (which has the
 * ASCII space, tab and line breaks, U+00A0, U+2000..U+200A, U+3000...) and the zero-width characters that render
 * as nothing (U+200B..U+200D, U+2060, U+FEFF).
 */
const EDGE_INVISIBLE = '\\p{White_Space}\\u200B-\\u200D\\u2060\\uFEFF';
/** All of them are in the BMP, so one UTF-16 unit is one of them or not. */
const EDGE_INVISIBLE_UNIT = new RegExp(`^[${EDGE_INVISIBLE}]$`, 'u');
const hasInvisibleEdge = (text: string) =>
  EDGE_INVISIBLE_UNIT.test(text[0]) || EDGE_INVISIBLE_UNIT.test(text[text.length - 1]);

/** Text with no visible character: spaces, format characters (Cf), default-ignorables (fillers...), braille blank. */
const BLANK = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** C0, DEL, C1 (NUL included) and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The same, less the tab and line breaks that free text may hold. */
// eslint-disable-next-line no-control-regex
const CONTROL_IN_FREE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** In a `u` regex a surrogate matches only when unpaired: a paired one is part of a single astral code point. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Limits shared by the input classes and the database's CHECKs, in code points. */
export const TEXT_LIMITS = {
  transactionId: 128,
  name: 200,
  region: 100,
  accountCode: 300,
  cursor: 1000,
  freeText: 1000,
} as const;

/** The rules as the schema states them to clients. */
export const NAME_DESCRIPTION = `1 to ${TEXT_LIMITS.name} characters, at least one visible; whitespace at either end is trimmed; no control characters.`;
export const REGION_DESCRIPTION = `1 to ${TEXT_LIMITS.region} characters, no whitespace at either end, no control characters; matched exactly as sent.`;

/** A decimal that fits numeric(12,4) needs at most 14 characters; anything past this bound is not worth parsing. */
export const MAX_DECIMAL_TEXT_LENGTH = 32;

/** Length in code points, so that an emoji counts once; stops counting once past `max`. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  // Every code point is one or two UTF-16 units.
  if (text.length > 2 * max) return true;
  let points = 0;
  for (const _ of text) if (++points > max) return true;
  return false;
}

/** The problems every kind of text shares, checked before the kind's own. */
function encodingProblem(value: unknown, control: RegExp): TextProblem | null {
  if (typeof value !== 'string') return 'not-text';
  if (LONE_SURROGATE.test(value)) return 'lone-surrogate';
  if (control.test(value)) return 'control';
  return null;
}

export function identifierProblem(value: unknown, maxLength: number): TextProblem | null {
  const problem = encodingProblem(value, CONTROL);
  if (problem !== null) return problem;
  const text = value as string;
  if (text.length === 0) return 'empty';
  if (hasInvisibleEdge(text)) return 'edge-space';
  if (longerThan(text, maxLength)) return 'too-long';
  return null;
}

/** What the edge makes of a name or free text before validating it: its invisible edges removed. */
export function trimText(text: string): string {
  // A loop, not /[...]+$/: that regex backtracks quadratically over a long run of inner spaces.
  let start = 0;
  let end = text.length;
  while (start < end && EDGE_INVISIBLE_UNIT.test(text[start])) start++;
  while (end > start && EDGE_INVISIBLE_UNIT.test(text[end - 1])) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function displayTextProblem(value: unknown, maxLength: number, control: RegExp): TextProblem | null {
  const problem = encodingProblem(value, control);
  if (problem !== null) return problem;
  const text = value as string;
  if (text.length === 0) return 'empty';
  if (BLANK.test(text)) return 'blank';
  // The edge trims before validating: untrimmed text here means a path that skipped the edge, refused not stored.
  if (hasInvisibleEdge(text)) return 'edge-space';
  if (longerThan(text, maxLength)) return 'too-long';
  return null;
}

/** A name as the edge hands it on, already trimmed. */
export function nameProblem(value: unknown, maxLength: number): TextProblem | null {
  return displayTextProblem(value, maxLength, CONTROL);
}

/** Free text as the edge hands it on, already trimmed; tabs and line breaks are allowed inside. */
export function freeTextProblem(value: unknown, maxLength: number): TextProblem | null {
  return displayTextProblem(value, maxLength, CONTROL_IN_FREE_TEXT);
}

/** Only the text's length: what a decimal means is its parser's business, once the text is known to be short. */
export function decimalTextProblem(value: unknown): TextProblem | null {
  if (typeof value !== 'string') return 'not-text';
  return value.length > MAX_DECIMAL_TEXT_LENGTH ? 'too-long' : null;
}

/** The end of a sentence that starts with the field's name. */
export function describeTextProblem(problem: TextProblem, maxLength: number, kind: 'identifier' | 'name' | 'free text'): string {
  switch (problem) {
    case 'not-text':
      return 'must be text';
    case 'lone-surrogate':
      return 'must be valid Unicode (it has an unpaired surrogate)';
    case 'control':
      return kind === 'free text'
        ? 'must not contain control characters other than tabs and line breaks'
        : 'must not contain control characters (NUL, tabs, line breaks...)';
    case 'empty':
      return 'must not be empty';
    case 'edge-space':
      return 'must not begin or end with whitespace or invisible characters';
    case 'blank':
      return 'must contain a visible character';
    case 'too-long':
      return `must be at most ${maxLength} characters long`;
  }
}
