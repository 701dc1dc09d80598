// Display helpers. Contract dates are calendar dates: they are never shifted into a time zone.

import type { Filters } from "../bindings/Filters";

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

const instantFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** An instant (RFC 3339) in the user's time zone: "Apr 7, 2026, 14:02". */
export function formatInstant(instant: string | null): string {
  if (!instant) return "";
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? instant : instantFormat.format(date);
}

/** Today as a calendar date in the user's time zone, `YYYY-MM-DD`. */
export function todayIso(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const FIELD_LABELS: Record<string, string> = {
  employee_number: "Employee number",
  first_name: "First name",
  last_name: "Last name",
  job_title: "Job title",
  work_email: "Work email",
  personal_email: "Personal email",
  mobile_phone: "Mobile phone",
  employment_status: "Employment status",
  employment_type: "Employment type",
  work_location: "Work location",
  legal_entity: "Legal entity",
  manager: "Manager",
  home_address: "Home address",
  start_date: "Start date",
  end_date: "End date",
  groups: "Teams and groups",
};

/** A field's name as people say it. */
export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replaceAll("_", " ");
}

/** Kombo's wire values (`FULL_TIME`) as words ("Full time"). */
export function enumLabel(value: string | null): string {
  if (!value) return "";
  const words = value.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The names typed in one field, comma-separated, as filter lists take them. */
function commaList(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

/** A form's three comma-separated filter fields as filters (an empty field narrows nothing). */
export function typedFilters(legalEntities: string, employmentTypes: string, teams: string): Filters {
  return { legal_entities: commaList(legalEntities), employment_types: commaList(employmentTypes), teams: commaList(teams) };
}
