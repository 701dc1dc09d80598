//! Running syncs: now, when due, as a dry run or a preview; approving and discarding held plans.

use chrono::{DateTime, Utc};

use super::{Action, Engine};
use crate::error::{Error, Result};
use crate::model::Filters;
use crate::secrets::SecretError;
use crate::store::change_log::{self, Actor, ConfigChange};
use crate::store::locks::SourceLock;
use crate::store::sources::{self, Source, SourceKind};
use crate::store::{runs, settings};
use crate::sync::preview::{self, PreviewRow};
use crate::sync::{self, OnProgress, Outcome, SyncReport, SyncRequest};

impl Engine {
    /// Syncs one source now. Never two runs of one source at once, in this process or another.
    pub fn sync(&mut self, source_name: &str, now: DateTime<Utc>, request: SyncRequest) -> Result<SyncReport> {
        self.sync_with_progress(source_name, now, request, &mut |_| {})
    }

    /// [`Engine::sync`], telling `progress` how far it got now and then.
    pub fn sync_with_progress(
        &mut self,
        source_name: &str,
        now: DateTime<Utc>,
        request: SyncRequest,
        progress: &mut OnProgress<'_>,
    ) -> Result<SyncReport> {
        self.acting(Action::RunSyncs, |engine| {
            let source = engine.source(source_name)?;
            let lock = engine.lock(&source)?;
            engine.sync_locked(&source, &lock, now, request, progress)
        })
    }

    /// The scheduled sync of one source, if it is this instance's to run: `None` when this machine
    /// holds no secret of the source (another machine syncs it), when another instance is running
    /// it, or when one ran it since `due_sources` was read. Instances sharing a directory each try
    /// every hour; the source's lock and its stored next time make exactly one of them run it.
    pub fn sync_if_due(
        &mut self,
        source_name: &str,
        now: DateTime<Utc>,
        request: SyncRequest,
        progress: &mut OnProgress<'_>,
    ) -> Result<Option<SyncReport>> {
        let source = self.source(source_name)?;
        if !self.may(Action::RunSyncs) || !self.holds_secret(&source)? {
            return Ok(None);
        }
        let lock = match self.lock(&source) {
            Ok(lock) => lock,
            Err(Error::SyncRunning(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        // Read again under the lock: another instance may have run it and moved its next time.
        let source = self.source(source_name)?;
        if !is_due(&source, now) {
            return Ok(None);
        }
        self.acting(Action::RunSyncs, |engine| engine.sync_locked(&source, &lock, now, request, progress)).map(Some)
    }

    /// Whether this machine's keyring holds the secret the source's syncs need (a CSV source needs none).
    pub(super) fn holds_secret(&self, source: &Source) -> Result<bool> {
        if source.kind == SourceKind::Csv {
            return Ok(true);
        }
        match self.secrets.load(&source.secret_account()) {
            Ok(_) => Ok(true),
            Err(SecretError::Missing { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Syncs `source`, whose lock the caller holds (the parameter says so; it is not read).
    fn sync_locked(
        &mut self,
        source: &Source,
        _lock: &SourceLock,
        now: DateTime<Utc>,
        request: SyncRequest,
        progress: &mut OnProgress<'_>,
    ) -> Result<SyncReport> {
        let connector = self.connector(source)?;
        let mut report = sync::run(self.store.conn_mut(), source, connector, now, request, &self.machine, progress)?;
        self.check_permissions(source, &mut report)?;
        if report.outcome == Outcome::Applied {
            self.apply_retention(now)?;
            self.follow_sync(source, &report, now)?;
        }
        Ok(report)
    }

    /// After an applied plan: checklists follow the directory at once (new starters get their
    /// steps, moved dates move them, cancellations close them), so that every list, the CLI's
    /// and the window's, reads them as they are without writing on a read.
    fn follow_sync(&mut self, source: &Source, report: &SyncReport, now: DateTime<Utc>) -> Result<()> {
        let actor = match report.run_id {
            Some(run_id) => Actor::Sync { source_id: source.id, run_id },
            None => Actor::User,
        };
        self.reconcile_checklists(actor, now)?;
        Ok(())
    }

    /// After an applied full read: the warnings about what the source never returns, kept with
    /// the run so that a scheduled sync's reach the window and the history too.
    fn check_permissions(&self, source: &Source, report: &mut SyncReport) -> Result<()> {
        let Some(run_id) = report.run_id.filter(|_| report.full_read && report.outcome == Outcome::Applied) else {
            return Ok(());
        };
        report.warnings = self.missing_permission(source)?;
        runs::set_warnings(self.store.conn(), run_id, &report.warnings)
    }

    /// Sources whose next sync is due at `now` (none while syncing is paused, nor for a role that
    /// may not run syncs). A run missed while the machine slept or Roster was closed is due at once.
    pub fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<Source>> {
        Ok(self.scheduled_sources()?.into_iter().filter(|s| is_due(s, now)).collect())
    }

    /// The sources this instance syncs on schedule: all of them, unless syncing is paused or the
    /// connected role may not run syncs.
    fn scheduled_sources(&self) -> Result<Vec<Source>> {
        if !self.may(Action::RunSyncs) || settings::load(self.store.conn())?.paused {
            return Ok(Vec::new());
        }
        self.sources()
    }

    /// When this machine's next scheduled sync falls due: the earliest next time of the sources
    /// whose secret it holds (`None` while syncing is paused, when it syncs none, or for a role
    /// that may not run syncs). A scheduler sleeps until then, so an idle instance asks a shared
    /// directory nothing.
    pub fn next_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .scheduled_sources()?
            .into_iter()
            // A keyring that cannot be asked now: the sync will say what is wrong with it.
            .filter(|source| self.holds_secret(source).unwrap_or(true))
            .map(|source| source.next_sync().unwrap_or(DateTime::<Utc>::MIN_UTC))
            .min())
    }

    /// Runs every due sync that is this instance's to run ([`Engine::sync_if_due`]); each source's
    /// result is returned, a failure does not stop the others.
    pub fn sync_due(&mut self, now: DateTime<Utc>) -> Result<Vec<(String, Result<SyncReport>)>> {
        let due = self.due_sources(now)?;
        Ok(due
            .into_iter()
            .filter_map(|source| {
                let result = self.sync_if_due(&source.name, now, SyncRequest::default(), &mut |_| {}).transpose()?;
                Some((source.name, result))
            })
            .collect())
    }

    /// Reads the source and shows every person included or excluded under `filters` (the stored
    /// filters when `None`). Nothing is written.
    pub fn preview(&mut self, source_name: &str, filters: Option<Filters>, now: DateTime<Utc>) -> Result<Vec<PreviewRow>> {
        let source = self.source(source_name)?;
        let filters = match filters {
            Some(f) => f,
            None => sources::filters(self.store.conn(), source.id)?,
        };
        let _lock = self.lock(&source)?;
        let connector = self.connector(&source)?;
        preview::preview(self.store.conn_mut(), &source, connector, &filters, now)
    }

    /// Applies a plan held by the mass-change guard.
    pub fn approve(&mut self, run_id: i64, now: DateTime<Utc>) -> Result<SyncReport> {
        self.acting(Action::ApproveHeldPlans, |engine| {
            let mut report = sync::approve(engine.store.conn_mut(), run_id, now)?;
            let source = engine.source(&report.source)?;
            engine.check_permissions(&source, &mut report)?;
            engine.follow_sync(&source, &report, now)?;
            Ok(report)
        })
    }

    /// The plan a held run waits with, for review before approving it.
    pub fn held_plan(&self, run_id: i64) -> Result<crate::sync::plan::SyncPlan> {
        sync::held(self.store.conn(), run_id)
    }

    /// How often a source syncs on its own (one minute or more); the next sync moves accordingly.
    pub fn set_sync_interval(&mut self, source_name: &str, interval: std::time::Duration, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeSchedule, |engine| {
            let source = engine.source(source_name)?;
            let tx = engine.store.begin()?;
            sources::set_sync_interval(&tx, source.id, interval, now)?;
            let every = |secs: u64| match secs % 60 {
                0 => format!("every {} min", secs / 60),
                _ => format!("every {secs} s"),
            };
            let (old, new) = (every(source.sync_interval_secs.unsigned_abs()), every(interval.as_secs()));
            if old != new {
                let change = ConfigChange {
                    at: &now.to_rfc3339(),
                    source_id: Some(source.id),
                    action: "sync_interval_changed",
                    field: None,
                    old: Some(&old),
                    new: Some(&new),
                };
                change_log::record_config(&tx, &change)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Drops a plan held by the mass-change guard.
    pub fn discard(&mut self, run_id: i64, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::DiscardHeldPlans, |engine| sync::discard(engine.store.conn_mut(), run_id, now))
    }

    /// The source's sync lock (see [`crate::store::locks`]), held for the life of the returned value.
    fn lock(&self, source: &Source) -> Result<SourceLock> {
        self.store.lock_source(source.id, &source.name)
    }
}

impl Engine {
    /// Runs left `running` by a process that stopped mid-sync are closed as failed (their writes
    /// were never committed). A run whose source is locked belongs to a live process and is left.
    pub(super) fn close_interrupted_runs(&self, now: DateTime<Utc>) -> Result<()> {
        if !self.may(Action::RunSyncs) {
            // A viewer's instance runs no syncs, so it interrupted none, and may not close them.
            return Ok(());
        }
        for source in self.sources()? {
            if let Ok(_lock) = self.lock(&source) {
                crate::store::runs::close_interrupted(self.store.conn(), source.id, &now.to_rfc3339())?;
            }
        }
        Ok(())
    }
}

/// A source with no next time (never synced) or whose next time has come.
fn is_due(source: &Source, now: DateTime<Utc>) -> bool {
    source.next_sync().is_none_or(|next| next <= now)
}
