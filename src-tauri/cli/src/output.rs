//! Plain-text renderings of command results, for people at a terminal.

use std::borrow::Cow;

use roster_engine::connector::data_use::DataUse;
use roster_engine::model::EmployeeRow;
use roster_engine::store::change_log::AuditEntry;
use roster_engine::store::copy::CopyReport;
use roster_engine::store::devices::{Device, Holding};
use roster_engine::store::directory::{DirectoryCheck, DirectoryStatus, StoreKind};
use roster_engine::store::runs::SyncRun;
use roster_engine::store::sources::Source;
use roster_engine::store::team::{Role, TeamSetup};
use roster_engine::store::team_members::TeamMember;
use roster_engine::sync::plan::Action;
use roster_engine::sync::preview::PreviewRow;
use roster_engine::sync::{Outcome, SyncReport};
use roster_engine::{FieldModeRow, FilterView, Overview, Profile, Status};

pub fn sources(sources: &[Source]) -> String {
    if sources.is_empty() {
        return "no source connected".into();
    }
    sources
        .iter()
        .map(|s| {
            let last = s.first_synced_at.as_deref().map_or("never synced".to_owned(), |_| {
                format!("last full sync {}", s.last_full_sync_at.as_deref().unwrap_or("-"))
            });
            let error = s.last_error.as_deref().map(|e| format!(" — last error: {e}")).unwrap_or_default();
            format!("{}\t{}\t{}{}", s.name, s.kind.as_str(), last, error)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn report(report: &SyncReport, dry_run: bool) -> String {
    let c = &report.counts;
    let mut out = format!(
        "{}{} ({} read): {} created, {} updated, {} unchanged, {} excluded, {} departing, {} missing",
        if dry_run { "plan for " } else { "" },
        report.source,
        if report.full_read { "full" } else { "incremental" },
        c.created,
        c.updated,
        c.unchanged,
        c.excluded,
        c.departing,
        c.missing
    );
    for warning in &report.warnings {
        out.push_str(&format!("\nwarning: {warning}"));
    }
    if report.outcome == Outcome::Held {
        out.push_str(&format!(
            "\nheld for approval: this plan would offboard, remove or put out of scope {} people. `roster approve {run}` applies it, `roster discard {run}` drops it",
            report.plan.disruptive(),
            run = report.run_id.unwrap_or_default()
        ));
    }
    if dry_run || report.outcome == Outcome::Held {
        for planned in &report.plan.employees {
            let line = match &planned.action {
                Action::Create => "create".to_owned(),
                Action::Update { changes, kept, conflicts, .. } => {
                    let mut parts: Vec<String> = changes
                        .iter()
                        .map(|ch| {
                            format!("{}: {} → {}", ch.field, ch.old.as_deref().unwrap_or("∅"), ch.new.as_deref().unwrap_or("∅"))
                        })
                        .collect();
                    parts.extend(kept.iter().map(|f| format!("{f}: kept (import once)")));
                    parts.extend(conflicts.iter().map(|c| {
                        format!(
                            "{}: conflict, kept {} over {}",
                            c.field,
                            c.kept.as_deref().unwrap_or("∅"),
                            c.theirs.as_deref().unwrap_or("∅")
                        )
                    }));
                    format!("update ({})", parts.join("; "))
                }
                Action::Exclude { reasons, .. } => format!("excluded: {}", reasons.join("; ")),
                Action::Missing { since, .. } => format!("missing since {since}"),
                Action::Depart { missing_since, .. } => format!("departed (missing since {missing_since})"),
            };
            out.push_str(&format!("\n  {}: {}", planned.name, line));
        }
    }
    out
}

pub fn employees(rows: &[EmployeeRow]) -> String {
    if rows.is_empty() {
        return "no employees".into();
    }
    rows.iter()
        .map(|e| {
            format!(
                "{} {}\t{}\t{}\t{}\t{} → {}\t{} device(s){}{}",
                e.first_name.as_deref().unwrap_or(""),
                e.last_name.as_deref().unwrap_or(""),
                e.work_email.as_deref().unwrap_or("-"),
                e.job_title.as_deref().unwrap_or("-"),
                e.legal_entity.as_deref().unwrap_or("-"),
                e.start_date.as_deref().unwrap_or("?"),
                e.termination_date.as_deref().unwrap_or(""),
                e.devices,
                if e.hidden { "\t(hidden)" } else { "" },
                e.out_of_scope.as_deref().map(|why| format!("\t(out of scope: {why})")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn runs(runs: &[SyncRun]) -> String {
    if runs.is_empty() {
        return "no sync has run yet".into();
    }
    runs.iter()
        .map(|r| {
            format!(
                "#{} {} {} {}: {} created, {} updated, {} unchanged, {} excluded, {} missing{}",
                r.id,
                r.source,
                r.started_at,
                r.outcome,
                r.created,
                r.updated,
                r.unchanged,
                r.excluded,
                r.missing,
                r.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default()
            ) + &ran_where(r)
                + &r.warnings.iter().map(|w| format!("\n  warning: {w}")).collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// " (on HOST by NAME)": the machine that ran a run, and the admin in a team's directory.
fn ran_where(r: &SyncRun) -> String {
    let by = r.run_by_name.as_deref().or(r.run_by.as_deref()).map(|by| format!(" by {by}")).unwrap_or_default();
    match r.machine.as_deref() {
        Some(machine) => format!(" (on {machine}{by})"),
        None if !by.is_empty() => format!(" ({})", by.trim_start()),
        None => String::new(),
    }
}

/// One change of a history: when, what, by whom (in a team's directory) or by which sync.
fn change(
    at: &str,
    action: &str,
    field: Option<&str>,
    values: (Option<&str>, Option<&str>),
    source: Option<&str>,
    by: Option<&str>,
) -> String {
    let mut out = format!("{at}\t{action}");
    match (field, values) {
        (Some(field), (old, new)) => out.push_str(&format!(" {field}: {} -> {}", old.unwrap_or("-"), new.unwrap_or("-"))),
        (None, (Some(old), Some(new))) => out.push_str(&format!(" {old} -> {new}")),
        (None, (Some(value), None) | (None, Some(value))) => out.push_str(&format!(" {value}")),
        (None, (None, None)) => {}
    }
    if let Some(source) = source {
        out.push_str(&format!("\t[{source}]"));
    }
    if let Some(by) = by {
        out.push_str(&format!("\tby {by}"));
    }
    out
}

/// The directory's audit trail, newest first.
pub fn audit(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "no changes".into();
    }
    entries
        .iter()
        .map(|e| {
            let by = e.made_by_name.as_deref().or(e.made_by.as_deref());
            let line = change(
                &e.at,
                &e.action,
                e.field.as_deref(),
                (e.old_value.as_deref(), e.new_value.as_deref()),
                e.source.as_deref(),
                by,
            );
            match (&e.person, e.run_id) {
                (Some(person), _) => format!("{line}\t{person}"),
                (None, Some(run)) => format!("{line}\trun #{run}"),
                (None, None) => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `roster directory whoami`: the role this data directory works as, and its display name.
pub fn whoami(me: Option<&TeamMember>) -> String {
    match me {
        Some(TeamMember { role, display_name: Some(name) }) => format!("{name} (database role {role})"),
        Some(TeamMember { role, display_name: None }) => {
            format!("database role {role}, no display name yet: `roster directory whoami --name \"Your Name\"` sets it")
        }
        None => "a local directory: every change in it is yours".into(),
    }
}

pub fn status(status: &Status) -> String {
    let mut out = format!(
        "{} active, {} onboardings, {} offboardings, {} hidden",
        status.active, status.onboardings, status.offboardings, status.hidden
    );
    for s in &status.sources {
        let last = s.last_run.as_ref().map_or("never synced".to_owned(), |r| format!("last run {} {}", r.outcome, r.started_at));
        out.push_str(&format!("\n{}: {}; next sync {}", s.source.name, last, s.source.next_sync_at.as_deref().unwrap_or("-")));
        if !s.syncs_here {
            out.push_str(&format!(
                "\n  this machine holds no secret of {0}: another machine runs its syncs (`roster source secret {0}` to run them here too)",
                s.source.name
            ));
        }
        for warning in &s.warnings {
            out.push_str(&format!("\n  warning: {warning}"));
        }
    }
    out
}

pub fn directory_status(d: &DirectoryStatus) -> String {
    let mut out = format!(
        "directory: {} ({})\nsize: {:.1} MB\nschema version: {}\npeople: {}\nsources: {}",
        d.location,
        match d.store {
            StoreKind::Sqlite => "SQLite",
            StoreKind::Postgres => "PostgreSQL",
        },
        d.size_bytes as f64 / 1e6,
        d.schema_version,
        d.people,
        d.sources
    );
    match (&d.role, &d.team) {
        (_, Some(team)) => {
            let members: Vec<String> = team.members.iter().map(|m| format!("{} ({})", m.login, m.role)).collect();
            out.push_str(&format!("\nrole: {}\nteam of {}: {}", role_name(d.role), team.database, members.join(", ")));
        }
        (Some(role), None) => out.push_str(&format!("\nrole: {role} (no team yet: `roster directory init-team` sets one up)")),
        (None, None) => out.push_str("\nrole: none (no team: every change is this login's to make)"),
    }
    out
}

fn role_name(role: Option<Role>) -> &'static str {
    role.map_or("none", Role::name)
}

pub fn team_setup(setup: &TeamSetup) -> String {
    let roles: Vec<&str> = setup.roles.values().map(String::as_str).collect();
    if setup.changed {
        format!(
            "the team's roles {} are set up with their grants; add people with `roster directory grant LOGIN --role viewer|admin|owner`",
            roles.join(", ")
        )
    } else {
        format!("the team's roles {} and their grants were already set up: nothing changed", roles.join(", "))
    }
}

pub fn role_change(login: &str, had: Option<Role>, now: Option<Role>) -> String {
    match (had, now) {
        (Some(had), Some(now)) if had == now => format!("{login} already had the role {now}: nothing changed"),
        (Some(had), Some(now)) => format!("{login} now has the role {now} (was {had})"),
        (None, Some(now)) => format!("{login} now has the role {now}"),
        (Some(had), None) => format!("{login} no longer has the role {had}: it can no longer open the directory"),
        (None, None) => format!("{login} had no Roster role: nothing changed"),
    }
}

pub fn directory_copy(report: &CopyReport) -> String {
    let rows: u64 = report.rows.values().sum();
    let people = report.rows.get("employees").copied().unwrap_or_default();
    format!(
        "copied {people} people ({rows} rows in {} tables) to {}; the directory is now kept there",
        report.rows.len(),
        report.to
    )
}

pub fn directory_check(c: &DirectoryCheck) -> String {
    let version = c.schema_version.map_or("unreadable".to_owned(), |v| v.to_string());
    if c.ok {
        return format!("ok: {} (schema version {version})", c.location);
    }
    let mut out = format!("{}: problems found (schema version {version}, this Roster knows {})", c.location, c.known_version);
    for problem in &c.problems {
        out.push_str(&format!("\n  {problem}"));
    }
    out
}

pub fn preview(rows: &[PreviewRow]) -> String {
    let included = rows.iter().filter(|r| r.included).count();
    let mut out = format!("{} people: {} included, {} excluded", rows.len(), included, rows.len() - included);
    for r in rows {
        let standing = if r.included { "Included".to_owned() } else { format!("Excluded: {}", r.reasons.join("; ")) };
        out.push_str(&format!("\n{}\t{}\t{}", r.name, r.work_email.as_deref().unwrap_or("-"), standing));
    }
    out
}

pub fn field_modes(rows: &[FieldModeRow]) -> String {
    rows.iter()
        .map(|r| {
            let state = if !r.enabled {
                " (switched off)"
            } else if r.optional {
                " (optional)"
            } else {
                ""
            };
            format!("{}\t{}{}", r.field, r.mode.as_str(), state)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn filters(f: &FilterView) -> String {
    let list = |items: Vec<String>| if items.is_empty() { "all".to_owned() } else { items.join(", ") };
    format!(
        "legal entities: {}\nemployment types: {}\nteams: {}",
        list(f.legal_entities.iter().map(|n| n.name.clone()).collect()),
        list(f.employment_types.clone()),
        list(f.teams.iter().map(|n| n.name.clone()).collect())
    )
}

pub fn profile(p: &Profile) -> String {
    let mut out = format!("employee {}{}", p.id, if p.hidden { " (hidden)" } else { "" });
    if let Some(scope) = &p.out_of_scope {
        out.push_str(&format!(
            "\nout of scope since {}: {}; their fields are no longer updated",
            scope.since.as_deref().unwrap_or("?"),
            scope.reasons
        ));
    }
    for f in &p.fields {
        let origin = match (&f.source, f.mode) {
            (Some(source), Some(mode)) => format!("{source}, {}", mode.as_str()),
            (Some(source), None) => source.clone(),
            (None, _) if f.value.is_some() => "edited in Roster".to_owned(),
            (None, _) => String::new(),
        };
        out.push_str(&format!("\n{}: {}\t[{}]", f.field, f.value.as_deref().unwrap_or("-"), origin));
        for c in &f.conflicts {
            out.push_str(&format!("\n    conflict: {c}"));
        }
    }
    for difference in &p.hr_differences {
        out.push_str(&format!("\n{}", difference.describe()));
    }
    for e in &p.equipment {
        let stock = match (&e.held, &e.reserved, &e.free) {
            (Some(serial), _, _) => format!("held: {serial}"),
            (None, Some(serial), _) => format!("reserved: {serial}"),
            (None, None, Some(serial)) => format!("free in inventory: {serial}"),
            (None, None, None) => "none free".to_owned(),
        };
        out.push_str(&format!("\nsuggested equipment: {}: {} ({}) — {stock}", e.kind, e.model, e.condition));
    }
    for c in &p.history {
        let by = c.made_by_name.as_deref().or(c.made_by.as_deref());
        let values = (c.old_value.as_deref(), c.new_value.as_deref());
        out.push_str(&format!("\n{}", change(&c.at, &c.action, c.field.as_deref(), values, c.source.as_deref(), by)));
    }
    out
}

pub fn devices(devices: &[Device]) -> String {
    if devices.is_empty() {
        return "no devices".into();
    }
    devices
        .iter()
        .map(|d| {
            let state = match (&d.holder, &d.reserved_for) {
                (Some(h), _) => format!("held by {h} since {}", d.assigned_on.as_deref().unwrap_or("?")),
                (None, Some(r)) => format!("{}, reserved for {r}", d.status),
                (None, None) => d.status.clone(),
            };
            format!("{}\t{}\t{}\t{}\t{state}", d.id, d.kind, d.model, d.serial_number)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn device_history(device: &Device, history: &[Holding]) -> String {
    let mut out = format!("{} {} ({})", device.kind, device.model, device.serial_number);
    if history.is_empty() {
        out.push_str("\nnever handed to anyone");
    }
    for h in history {
        let holder = h.holder.as_deref().unwrap_or("former employee");
        out.push_str(&format!("\n{} to {}\t{holder}", h.assigned_on, h.returned_on.as_deref().unwrap_or("now")));
        if let Some(by) = &h.assigned_by {
            out.push_str(&format!("\thanded over by {by}"));
        }
        if let Some(by) = &h.returned_by {
            out.push_str(&format!(", taken back by {by}"));
        }
    }
    out
}

pub fn overview(o: &Overview) -> String {
    let count = |groups: &[roster_engine::EntityPeople]| groups.iter().map(|g| g.people.len()).sum::<usize>();
    let mut out = String::from("week of\tstarts\tleaves");
    for w in &o.weeks {
        let by_entity: Vec<String> = w
            .starts
            .iter()
            .map(|g| format!("{} +{}", g.legal_entity, g.people.len()))
            .chain(w.leaves.iter().map(|g| format!("{} -{}", g.legal_entity, g.people.len())))
            .collect();
        out.push_str(&format!("\n{}\t{}\t{}\t{}", w.monday, count(&w.starts), count(&w.leaves), by_entity.join(", ")));
    }
    out.push_str(&format!("\n{} checklist step(s) overdue, {} due this week", o.overdue_count, o.due_this_week_count));
    for s in o.overdue.iter().chain(&o.due_this_week) {
        out.push_str(&format!("\n  {}\t{}\t{}{}", s.due_date, s.person, s.title, if s.overdue { "\tOVERDUE" } else { "" }));
    }
    let unlisted = (o.overdue_count + o.due_this_week_count) as usize - o.overdue.len() - o.due_this_week.len();
    if unlisted > 0 {
        out.push_str(&format!("\n  and {unlisted} more: `roster checklist list --due-before DATE` lists them all"));
    }
    out.push_str(&format!("\n{} device(s) to recover", o.devices_to_recover.len()));
    for d in &o.devices_to_recover {
        let when = d.end_date.as_deref().unwrap_or("?");
        let state = if d.left { format!("left {when}") } else { format!("leaves {when}") };
        out.push_str(&format!("\n  {} {} ({})\t{}\t{state}", d.device.kind, d.device.model, d.device.serial_number, d.person));
    }
    for s in &o.sources {
        let last = s.last_sync.as_deref().map_or("never synced".to_owned(), |at| format!("last sync {at}"));
        out.push_str(&format!("\n{}: {last}", s.name));
        if let Some(run) = s.held_run {
            out.push_str(&format!("; plan held for approval (run {run})"));
        }
        if let Some(error) = &s.last_error {
            out.push_str(&format!("; last error: {error}"));
        }
    }
    out
}

pub fn data_use(table: &[DataUse]) -> String {
    let mut out = String::from("Roster reads only this from an HR system (nothing else is retrieved or stored):");
    for d in table {
        out.push_str(&format!("\n- {} ({}){}: {}", d.data, d.object, if d.optional { ", optional" } else { "" }, d.purpose));
        if let Some(later) = d.later {
            out.push_str(&format!(" (not yet: {later})"));
        }
    }
    out
}

/// Text for a terminal, where values from an HR system are shown, never run: control characters
/// (escape sequences that rewrite the screen, set the clipboard through OSC 52, make hyperlinks, or
/// the C1 controls that do the same) are written out as `\u{…}`; new lines and tabs stay. Storage
/// keeps the values as HR sent them; JSON output escapes them already.
pub fn printable(text: &str) -> Cow<'_, str> {
    let harmful = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(harmful) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if harmful(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect())
}
