/**
 * An instant parsed from RFC 3339 text with microsecond precision (PostgreSQL's), so that two spellings of the
 * same instant compare equal ("2026-11-24T18:30:00-08:00" = "2026-11-25T02:30:00Z") and nothing is lost
 * between the request and the row.
 */
export class Instant {
  private constructor(readonly epochMicros: bigint) {}

  static fromDate(date: Date): Instant {
    return new Instant(BigInt(date.getTime()) * 1000n);
  }

  static fromEpochMicros(micros: bigint): Instant {
    return new Instant(micros);
  }

  toDate(): Date {
    return new Date(Number(this.epochMicros / 1000n));
  }

  /** ISO 8601 in UTC with six fractional digits: what PostgreSQL reads without loss. */
  toIsoString(): string {
    // The second is floored (not truncated toward zero) so that instants before 1970 land in the right one.
    const micros = ((this.epochMicros % 1_000_000n) + 1_000_000n) % 1_000_000n;
    const secondsPart = new Date(Number((this.epochMicros - micros) / 1000n)).toISOString().slice(0, 19);
    return `${secondsPart}.${micros.toString().padStart(6, '0')}Z`;
  }
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 date-time that names its offset; returns null for anything else (no offset included). */
export function parseRfc3339(text: string): Instant | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!zulu) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  // Not Date.UTC, which reads years 0-99 as 1900-1999.
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, 0);
  const utcMillis = utc.getTime() - offsetMinutes * 60_000;
  // Digits past the microsecond are dropped: PostgreSQL stores microseconds.
  const micros = BigInt((frac ?? '').padEnd(6, '0').slice(0, 6));
  return Instant.fromEpochMicros(BigInt(utcMillis) * 1000n + micros);
}

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}
