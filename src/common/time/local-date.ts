import { isCalendarDate } from './instant';

/** A calendar date as YYYY-MM-DD. Such strings order correctly when compared as text. */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

// Building an Intl.DateTimeFormat costs far more than using one; the purchase path needs one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The last answer per time zone, by whole UTC second: formatting is the costly part, and a busy service asks for
 * the same zone within the same second many times. No zone's offset has a fraction of a second, so every
 * instant of one UTC second falls on the same local date.
 */
const lastAnswers = new Map<string, { second: number; date: LocalDate }>();

/** The calendar date that a wall clock in `timeZone` showed at `instant`. */
export function localDateAt(instant: Date, timeZone: string): LocalDate {
  const second = Math.floor(instant.getTime() / 1000);
  const last = lastAnswers.get(timeZone);
  if (last !== undefined && last.second === second) return last.date;
  const date = formatLocalDate(instant, timeZone);
  lastAnswers.set(timeZone, { second, date });
  return date;
}

function formatLocalDate(instant: Date, timeZone: string): LocalDate {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`;
}

/**
 * True for an IANA zone name ("America/Chicago", "UTC"); false for offsets ("+01:00") and abbreviations
 * ("PST") that some Intl versions would accept, because a retailer's zone must follow its daylight saving rules.
 */
export function isIanaTimeZone(name: string): boolean {
  if (name !== 'UTC' && !/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
