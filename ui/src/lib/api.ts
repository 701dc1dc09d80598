// The only module that talks to the Rust side. Types come from Rust through ts-rs (src/bindings).
import { invoke } from "@tauri-apps/api/core";
import { emit, listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AuditEntry } from "../bindings/AuditEntry";
import type { AvailableUpdate } from "../bindings/AvailableUpdate";
import type { ChecklistChanges } from "../bindings/ChecklistChanges";
import type { ChecklistProgress } from "../bindings/ChecklistProgress";
import type { ChecklistStep } from "../bindings/ChecklistStep";
import type { CommandError } from "../bindings/CommandError";
import type { DataUse } from "../bindings/DataUse";
import type { DemoState } from "../bindings/DemoState";
import type { DirectoryStatus } from "../bindings/DirectoryStatus";
import type { Device } from "../bindings/Device";
import type { DeviceRule } from "../bindings/DeviceRule";
import type { EquipmentSuggestion } from "../bindings/EquipmentSuggestion";
import type { NewDeviceRule } from "../bindings/NewDeviceRule";
import type { EmployeeQuery } from "../bindings/EmployeeQuery";
import type { EmployeeRow } from "../bindings/EmployeeRow";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { Explanation } from "../bindings/Explanation";
import type { FirstScreen } from "../bindings/FirstScreen";
import type { ExportList } from "../bindings/ExportList";
import type { Field } from "../bindings/Field";
import type { Progress } from "../bindings/Progress";
import type { FieldMode } from "../bindings/FieldMode";
import type { FieldModeRow } from "../bindings/FieldModeRow";
import type { Filters } from "../bindings/Filters";
import type { FilterView } from "../bindings/FilterView";
import type { HeldChange } from "../bindings/HeldChange";
import type { Holding } from "../bindings/Holding";
import type { HrDifference } from "../bindings/HrDifference";
import type { NewDevice } from "../bindings/NewDevice";
import type { OAuthForm } from "../bindings/OAuthForm";
import type { Overview } from "../bindings/Overview";
import type { TimelineWeek } from "../bindings/TimelineWeek";
import type { PageTimes } from "../bindings/PageTimes";
import type { PlanCounts } from "../bindings/PlanCounts";
import type { PreviewRow } from "../bindings/PreviewRow";
import type { PersonChecklist } from "../bindings/PersonChecklist";
import type { Profile } from "../bindings/Profile";
import type { ProviderAdvice } from "../bindings/ProviderAdvice";
import type { Role } from "../bindings/Role";
import type { RunState } from "../bindings/RunState";
import type { Settings } from "../bindings/Settings";
import type { Source } from "../bindings/Source";
import type { Status } from "../bindings/Status";
import type { SyncOutcome } from "../bindings/SyncOutcome";
import type { SyncRun } from "../bindings/SyncRun";
import type { Template } from "../bindings/Template";
import type { TeamMember } from "../bindings/TeamMember";
import type { TemplateStep } from "../bindings/TemplateStep";
import type { View } from "../bindings/View";

export type {
  AuditEntry,
  AvailableUpdate,
  ChecklistProgress,
  ChecklistStep,
  DataUse,
  DemoState,
  Device,
  DeviceRule,
  EmployeeQuery,
  EmployeeRow,
  EquipmentSuggestion,
  Explanation,
  ExportList,
  Field,
  FieldMode,
  FieldModeRow,
  Filters,
  FilterView,
  HeldChange,
  Holding,
  HrDifference,
  NewDevice,
  NewDeviceRule,
  OAuthForm,
  Overview,
  PersonChecklist,
  PlanCounts,
  PreviewRow,
  Profile,
  ProviderAdvice,
  RunState,
  Settings,
  DirectoryStatus,
  Source,
  Status,
  SyncOutcome,
  SyncRun,
  TeamMember,
  Template,
  TemplateStep,
  TimelineWeek,
  View,
};
export type { Progress } from "../bindings/Progress";
export type { HeldChangeKind } from "../bindings/HeldChangeKind";
export type { FieldChange } from "../bindings/FieldChange";
export type { SourceStatus } from "../bindings/SourceStatus";
export type { ProfileField } from "../bindings/ProfileField";
export type { ChangeEntry } from "../bindings/ChangeEntry";

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

/** The words to show for a failure caught anywhere in the UI. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when another admin changed the thing first: the screen reloads to show what is there now. */
export const changedMeanwhile = (error: unknown) => error instanceof ApiError && error.code === "changed_meanwhile";

// Employees
export const listEmployees = (query: EmployeeQuery) => call<EmployeeRow[]>("list_employees", { query });
export const employeeProfile = (id: number) => call<Profile>("employee_profile", { id });
/** Writes the person's data as a JSON file in the Downloads folder; returns its path. */
export const exportPerson = (id: number) => call<string>("export_person", { id });
export const setHidden = (id: number, hidden: boolean) => call<void>("set_hidden", { id, hidden });
/** Edits a field from the value `seen` on screen: refused (code `changed_meanwhile`) if someone else changed it first. */
export const editField = (id: number, field: Field, seen: string | null, value: string | null) =>
  call<void>("edit_field", { id, field, seen, value });
/** Takes HR's last-read value of an import-once field once, from `source`. */
export const checklistProgress = (view: View) => call<ChecklistProgress[]>("checklist_progress", { view });
export const personChecklist = (id: number) => call<PersonChecklist>("person_checklist", { id });
export const setStepDone = (step: number, done: boolean) => call<ChecklistStep>("set_step_done", { step, done });
export const annotateStep = (step: number, assignee: string | null, comment: string | null) =>
  call<ChecklistStep>("annotate_step", { step, assignee, comment });
export const checklistTemplates = () => call<Template[]>("checklist_templates");
export const addChecklistTemplate = (template: Template) =>
  call<ChecklistChanges>("add_checklist_template", { template });
export const removeChecklistTemplate = (name: string) => call<ChecklistChanges>("remove_checklist_template", { name });
export const takeHrValue = (id: number, field: Field, source: string) =>
  call<HrDifference>("take_hr_value", { id, field, source });
export const explain = (query: string) => call<Explanation>("explain", { query });

/** Opens the save dialog and writes the list there as CSV; the file's path, or `null` if cancelled. */
export const exportCsv = (list: ExportList) => call<string | null>("export_csv", { list });

/** What needs the IT team this week (the Overview screen). */
export const overview = () => call<Overview>("overview");
/** All the first screen shows, in one answer: the sources, the demo, the role and the Overview. */
export const firstScreen = () => call<FirstScreen>("first_screen");
/**
 * Tells the shell the first screen's rows are in the page: its start-up trace logs the time, with
 * when the page began loading and when it asked for the first screen, had it and rendered it.
 */
export const firstScreenDrawn = (times: Omit<PageTimes, "page_started">) =>
  emit("first-screen-drawn", { page_started: Math.round(performance.timeOrigin), ...times } satisfies PageTimes);

// Devices
export const listDevices = (holder: number | null = null) => call<Device[]>("list_devices", { holder });
export const deviceHistory = (device: number) => call<Holding[]>("device_history", { device });
export const addDevice = (device: NewDevice) => call<Device>("add_device", { device });
export const assignDevice = (device: number, employee: number, on: string) =>
  call<Device>("assign_device", { device, employee, on });
export const takeBackDevice = (device: number, on: string) => call<Device>("take_back_device", { device, on });
/** Keeps a device (by serial number, as suggestions name it) for a person until it is handed to them. */
export const reserveDevice = (device: string, employee: number) => call<Device>("reserve_device", { device, employee });
export const unreserveDevice = (device: string) => call<Device>("unreserve_device", { device });
export const deviceRules = () => call<DeviceRule[]>("device_rules");
export const addDeviceRule = (rule: NewDeviceRule) => call<DeviceRule>("add_device_rule", { rule });
export const removeDeviceRule = (id: number) => call<void>("remove_device_rule", { id });

// Sources (Settings › Employee Sync)
export const status = () => call<Status>("status");
/** The key goes straight to the engine, which keeps it in the OS keyring; nothing here stores it. */
export const addKomboSource = (args: {
  name: string;
  baseUrl: string;
  integrationId: string;
  apiKey: string;
  disabledFields: Field[];
}) => call<Source>("add_kombo_source", args);
/** Kombo Connect: opens the connection link in the browser and returns it, to offer it again. */
export const openKomboConnect = (args: { baseUrl: string; apiKey: string; email: string; organization: string }) =>
  call<string>("open_kombo_connect", args);
export const addKomboSourceByToken = (args: {
  name: string;
  baseUrl: string;
  apiKey: string;
  token: string;
  disabledFields: Field[];
}) => call<Source>("add_kombo_source_by_token", args);
/** The bearer token goes straight to the engine and the OS keyring. */
export const addScimSource = (args: { name: string; baseUrl: string; token: string; disabledFields: Field[] }) =>
  call<Source>("add_scim_source", args);
export const addCsvSource = (args: { name: string; path: string; disabledFields: Field[] }) =>
  call<Source>("add_csv_source", args);
/** Opens the sign-in in the browser and resolves once it came back (or the wait ran out). */
export const addOauthSource = (args: { name: string; form: OAuthForm; disabledFields: Field[] }) =>
  call<Source>("add_oauth_source", args);
/** What Roster reads from an HR system and why, from the engine: shown before any authorisation. */
export const dataRetrieved = () => call<DataUse[]>("data_retrieved");
export const setSyncInterval = (source: string, minutes: number) =>
  call<void>("set_sync_interval", { source, minutes });
export const removeSource = (name: string, erase: boolean) => call<void>("remove_source", { name, erase });
export const fieldModes = (source: string) => call<FieldModeRow[]>("field_modes", { source });
export const setFieldMode = (source: string, field: Field, mode: FieldMode) =>
  call<void>("set_field_mode", { source, field, mode });
export const setOptionalField = (source: string, field: Field, enabled: boolean) =>
  call<void>("set_optional_field", { source, field, enabled });
export const filters = (source: string) => call<FilterView>("filters", { source });
export const setFilters = (source: string, filters: Filters) => call<FilterView>("set_filters", { source, filters });
export const preview = (source: string, filters: Filters | null = null) =>
  call<PreviewRow[]>("preview", { source, filters });
export const providerAdvice = (source: string) => call<ProviderAdvice | null>("provider_advice", { source });

// Syncing
export const syncNow = (source: string | null = null) => call<SyncOutcome[]>("sync_now", { source });
export const setSourceSecret = (name: string, secret: string) => call<void>("set_source_secret", { name, secret });
export const listRuns = () => call<SyncRun[]>("list_runs");
export const heldPlan = (runId: number) => call<HeldChange[]>("held_plan", { runId });
export const approveRun = (runId: number) => call<PlanCounts>("approve_run", { runId });
export const discardRun = (runId: number) => call<void>("discard_run", { runId });

// Who did what
/** This window's database role and display name; null in a local directory. */
export const whoami = () => call<TeamMember | null>("whoami");
export const setDisplayName = (name: string) => call<TeamMember>("set_display_name", { name });
/** The latest changes, newest first; `by` (a role or display name) keeps one admin's. */
export const auditLog = (by: string | null, limit = 200) => call<AuditEntry[]>("audit_log", { by, limit });
export const changeAuthors = () => call<TeamMember[]>("change_authors");

// Settings
export const settings = () => call<Settings>("settings");
export const directoryStatus = () => call<DirectoryStatus>("directory_status");
export const directoryRole = () => call<Role | null>("directory_role");
export const connectDirectory = (url: string, password: string) =>
  call<DirectoryStatus>("connect_directory", { url, password });
export const disconnectDirectory = () => call<DirectoryStatus>("disconnect_directory");
export const saveSettings = (settings: Settings) => call<void>("save_settings", { settings });
export const autostart = () => call<boolean>("autostart");
export const setAutostart = (enabled: boolean) => call<void>("set_autostart", { enabled });
export const demoState = () => call<DemoState>("demo_state");

// Updates
export const availableUpdate = () => call<AvailableUpdate | null>("available_update");
/** Installs the waiting update and restarts Roster; resolves only if the update was refused. */
export const installUpdate = () => call<void>("install_update");

/** Opens a web page in the person's browser (Tauri's opener plugin). */
export const openUrl = (url: string) => call<void>("plugin:opener|open_url", { url });

/**
 * Calls `onChange` whenever a sync, the tray or another screen changed the directory, or (a team's
 * directory in PostgreSQL) any instance sharing it committed a change. The event's payload names
 * the kinds of data changed (`ChangeKind[]`, `null` for this instance's own changes); every screen
 * reloads what it shows whatever the kind, as one page read costs little.
 */
export const onDirectoryChanged = (onChange: () => void): Promise<UnlistenFn> =>
  listen("directory-changed", () => onChange());

/** Calls `onProgress` now and then while a sync runs: records read, then people written. */
export const onSyncProgress = (onProgress: (progress: Progress) => void): Promise<UnlistenFn> =>
  listen<Progress>("sync-progress", (event) => onProgress(event.payload));

/** Calls `onAvailable` when a check finds a newer signed release. */
export const onUpdateAvailable = (onAvailable: () => void): Promise<UnlistenFn> =>
  listen("update-available", () => onAvailable());

/** The demo company started, failed, or is off. */
export const onDemoChanged = (onChange: (demo: DemoState) => void): Promise<UnlistenFn> =>
  listen<DemoState>("demo-changed", (event) => onChange(event.payload));

/** Calls `onActivity(true)` when any sync starts and `onActivity(false)` when it ends. */
export const onSyncActivity = (onActivity: (syncing: boolean) => void): Promise<UnlistenFn> =>
  listen<boolean>("sync-activity", (event) => onActivity(event.payload));
