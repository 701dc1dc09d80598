//! Syncing every source, off the UI: the engine's HTTP client is blocking, so this runs on a
//! blocking thread, with its own database connection.

use std::path::Path;

use chrono::{DateTime, Utc};
use roster_engine::sync::plan::PlanCounts;
use roster_engine::sync::SyncRequest;
use roster_engine::Engine;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult};

/// How the sync of one source ended. One source failing does not stop the others.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncOutcome {
    pub source: String,
    pub counts: Option<PlanCounts>,
    pub error: Option<CommandError>,
}

pub fn sync_all(data_dir: &Path, now: DateTime<Utc>) -> CommandResult<Vec<SyncOutcome>> {
    let mut engine = Engine::open(data_dir)?;
    let sources = engine.sources()?;
    Ok(sources
        .into_iter()
        .map(
            |source| match engine.sync(&source.name, now, SyncRequest::default()) {
                Ok(report) => SyncOutcome {
                    source: source.name,
                    counts: Some(report.counts),
                    error: None,
                },
                Err(error) => {
                    tracing::warn!(source = %source.name, %error, "sync failed");
                    SyncOutcome {
                        source: source.name,
                        counts: None,
                        error: Some(error.into()),
                    }
                }
            },
        )
        .collect())
}
