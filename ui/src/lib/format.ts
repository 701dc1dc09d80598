// Display helpers. Contract dates are calendar dates: they are never shifted into a time zone.

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

/** `2026-04-07` → "Apr 7, 2026" in the user's locale, the same calendar day everywhere. */
export function formatDate(isoDate: string | null): string {
  if (!isoDate) return "";
  const date = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateFormat.format(date);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** An instant as "3 minutes ago", "yesterday"… */
export function formatAgo(instant: string, now: Date = new Date()): string {
  const seconds = (new Date(instant).getTime() - now.getTime()) / 1000;
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["second", 60],
    ["minute", 60],
    ["hour", 24],
    ["day", 30],
    ["month", 12],
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), "year");
}

export function fullName(first: string | null, last: string | null): string {
  return [first, last].filter(Boolean).join(" ");
}
