//! Plain-text renderings of command results, for people at a terminal.

use roster_engine::model::EmployeeRow;
use roster_engine::store::runs::SyncRun;
use roster_engine::store::sources::Source;
use roster_engine::sync::plan::Action;
use roster_engine::sync::SyncReport;
use roster_engine::Status;

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
        "{}{}: {} created, {} updated, {} unchanged, {} excluded, {} missing",
        if dry_run { "plan for " } else { "" },
        report.source,
        c.created,
        c.updated,
        c.unchanged,
        c.excluded,
        c.missing
    );
    if dry_run {
        for planned in &report.plan.employees {
            let line = match &planned.action {
                Action::Create { .. } => "create".to_owned(),
                Action::Update { changes, kept, .. } => {
                    let mut parts: Vec<String> = changes
                        .iter()
                        .map(|ch| format!("{}: {} → {}", ch.field, ch.old.as_deref().unwrap_or("∅"), ch.new.as_deref().unwrap_or("∅")))
                        .collect();
                    parts.extend(kept.iter().map(|f| format!("{f}: kept (import once)")));
                    format!("update ({})", parts.join("; "))
                }
                Action::Exclude { reasons, .. } => format!("excluded: {}", reasons.join("; ")),
                Action::Missing { since, .. } => format!("missing since {since}"),
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
                "{} {}\t{}\t{}\t{}\t{} → {}{}",
                e.first_name.as_deref().unwrap_or(""),
                e.last_name.as_deref().unwrap_or(""),
                e.work_email.as_deref().unwrap_or("-"),
                e.job_title.as_deref().unwrap_or("-"),
                e.legal_entity.as_deref().unwrap_or("-"),
                e.start_date.as_deref().unwrap_or("?"),
                e.termination_date.as_deref().unwrap_or(""),
                if e.hidden { "\t(hidden)" } else { "" }
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
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn status(status: &Status) -> String {
    let mut out = format!(
        "{} active, {} onboardings, {} offboardings, {} hidden",
        status.active, status.onboardings, status.offboardings, status.hidden
    );
    for s in &status.sources {
        let last = s.last_run.as_ref().map_or("never synced".to_owned(), |r| format!("last run {} {}", r.outcome, r.started_at));
        out.push_str(&format!(
            "\n{}: {}; next sync {}",
            s.source.name,
            last,
            s.source.next_sync_at.as_deref().unwrap_or("-")
        ));
    }
    out
}
