import type { TimelineWeek } from "../api";
import { formatDate } from "../format";

/** A week of the timeline as its axis names it: "This week", "Next week", then the Monday as
 * "Dec 7", short enough to stay level under a bar. */
export const weekLabel = (week: TimelineWeek, i: number): string =>
  i === 0
    ? "This week"
    : i === 1
      ? "Next week"
      : new Date(`${week.monday}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" });

/** A week in a sentence: "this week", "the week of 7 Dec 2026". */
export const weekPhrase = (week: TimelineWeek, i: number): string =>
  i === 0 ? "this week" : `the week of ${formatDate(week.monday)}`;

/** How many people the week's groups (starts or leaves, by legal entity) hold. */
export const headcount = (groups: TimelineWeek["starts"]): number => groups.reduce((n, g) => n + g.people.length, 0);
