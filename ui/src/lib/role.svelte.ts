// The connected login's role in a team's directory, and what it may do: the one place the window
// asks "can I". The database enforces the roles; this only hides or disables what it would refuse.
import * as api from "./api";
import type { Role } from "../bindings/Role";

/** The least role an action needs. */
export type Needs = "admin" | "owner";

const rank: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

/** `null`: a directory without a team (SQLite, or a database without roles), where nothing is gated. */
let current = $state<Role | null>(null);

/** Reads the role again, after a change of directory. */
export async function loadRole(): Promise<void> {
  current = await api.directoryRole();
}

/** The role as the start-up's first answer gave it. */
export function setRole(role: Role | null): void {
  current = role;
}

export function can(needs: Needs): boolean {
  return current === null || rank[current] >= rank[needs];
}

/** The short reason shown on hover and read by screen readers, when the role may not. */
export function reason(needs: Needs): string | undefined {
  if (can(needs)) return undefined;
  return needs === "admin" ? "needs an admin" : "needs the directory's owner";
}

/** Attributes for a control (or a fieldset of them) that only `needs` may use. */
export function gate(needs: Needs): { disabled: boolean; title: string | undefined } {
  return { disabled: !can(needs), title: reason(needs) };
}
