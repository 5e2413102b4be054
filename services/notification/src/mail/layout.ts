/** What every template shares: escaping, paragraphs into both bodies, dates and money in words. */

/** Text for HTML: every character that could open markup escaped (titles and names are users' text). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** The text body of paragraphs: blank lines between them. */
export function textOf(paragraphs: readonly string[]): string {
  return `${paragraphs.join("\n\n")}\n`;
}

/** The HTML body of paragraphs, each escaped, then `extraHtml` (already markup) before the closing tag. */
export function htmlOf(paragraphs: readonly string[], extraHtml = ""): string {
  const body = paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replaceAll("\n", "<br>")}</p>`).join("\n");
  return `<!doctype html>\n<html><body style="font-family:sans-serif">\n${body}\n${extraHtml}</body></html>\n`;
}

/** A time as mails show it, in UTC: "Mon, 07 Dec 2026 18:00 UTC". */
export function timeText(time: Date): string {
  return `${time.toUTCString().replace(/:\d\d GMT$/, "")} UTC`;
}

/** An amount in minor units as "BDT 1,250.00" (two decimals: the currencies Marquee sells in). */
export function moneyText(currencyCode: string, amountMinor: bigint): string {
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  const units = (abs / 100n).toLocaleString("en-US");
  const cents = String(abs % 100n).padStart(2, "0");
  return `${negative ? "-" : ""}${currencyCode} ${units}.${cents}`;
}

/** The first 200 characters of a text body, for ListMyNotifications' preview. */
export function previewOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= 200 ? flat : `${flat.slice(0, 199)}…`;
}
