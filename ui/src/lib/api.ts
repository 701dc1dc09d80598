// The only module that talks to the Rust side. Types come from Rust through ts-rs (src/bindings).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { CommandError } from "../bindings/CommandError";
import type { DemoState } from "../bindings/DemoState";
import type { EmployeeQuery } from "../bindings/EmployeeQuery";
import type { EmployeeRow } from "../bindings/EmployeeRow";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { Status } from "../bindings/Status";
import type { SyncOutcome } from "../bindings/SyncOutcome";
import type { SyncRun } from "../bindings/SyncRun";

export type { DemoState, EmployeeQuery, EmployeeRow, Status, SyncOutcome, SyncRun };
export type { View } from "../bindings/View";
export type { SourceStatus } from "../bindings/SourceStatus";

/** A failed command, with the code the backend chose; never match on the message. */
export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(error: CommandError) {
    super(error.message);
    this.code = error.code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw new ApiError(isCommandError(error) ? error : { code: "internal", message: String(error) });
  }
}

export const listEmployees = (query: EmployeeQuery) => call<EmployeeRow[]>("list_employees", { query });
export const status = () => call<Status>("status");
export const listRuns = () => call<SyncRun[]>("list_runs");
export const demoState = () => call<DemoState>("demo_state");
export const syncNow = () => call<SyncOutcome[]>("sync_now");

/** Calls `onChange` whenever a sync or the demo changed the directory. */
export const onDirectoryChanged = (onChange: () => void): Promise<UnlistenFn> =>
  listen("directory-changed", () => onChange());
