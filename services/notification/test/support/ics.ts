/** A time as iCalendar writes it in UTC: 20261210T180000Z. */
export function icsStamp(time: Date): string {
  return `${time
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")}`;
}

/** The value of a property of the first VEVENT of an .ics file (unfolded), e.g. `DTSTART`. */
export function icsProperty(ics: string, name: string): string | undefined {
  const unfolded = ics.replace(/\r?\n[ \t]/g, "");
  const event = unfolded.slice(unfolded.indexOf("BEGIN:VEVENT"));
  return new RegExp(`^${name}(?:;[^:]*)?:(.*)$`, "m").exec(event)?.[1]?.trim();
}
