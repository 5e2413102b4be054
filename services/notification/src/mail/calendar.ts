import ical, { ICalCalendarMethod } from "ical-generator";

/** What a calendar entry says: when, where, what. */
export interface CalendarEntry {
  /** Stable across resends (the order's id), so a calendar updates the entry instead of adding one. */
  readonly uid: string;
  readonly summary: string;
  readonly description: string;
  readonly location: string;
  readonly start: Date;
  readonly end: Date;
}

/**
 * An iCalendar file (RFC 5545) of one entry, times in UTC (DTSTART:20261207T180000Z), method PUBLISH:
 * a ticket is not an invitation to answer.
 */
export function calendarFile(entry: CalendarEntry): string {
  const calendar = ical({ name: "Marquee", prodId: { company: "Marquee", product: "notification" } });
  calendar.method(ICalCalendarMethod.PUBLISH);
  calendar.createEvent({
    id: entry.uid,
    start: entry.start,
    end: entry.end,
    summary: entry.summary,
    description: entry.description,
    location: entry.location,
  });
  return calendar.toString();
}
