//! A held plan as the Sync history shows it: one typed line per person, built from the engine's
//! plan (whose `Action` carries no TypeScript binding).

use roster_engine::sync::plan::{Action, FieldChange, PlannedEmployee};
use serde::Serialize;
use ts_rs::TS;

/// What a held plan would do to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HeldChangeKind {
    Create,
    Update,
    Exclude,
    Missing,
    Depart,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HeldChange {
    pub remote_id: String,
    pub name: String,
    pub kind: HeldChangeKind,
    /// The fields an update changes.
    pub changes: Vec<FieldChange>,
    /// Why, in words: the filters an excluded person fails, since when someone is missing.
    pub detail: Option<String>,
}

impl From<PlannedEmployee> for HeldChange {
    fn from(planned: PlannedEmployee) -> HeldChange {
        let (kind, changes, detail) = match planned.action {
            Action::Create => (HeldChangeKind::Create, Vec::new(), None),
            Action::Update { changes, restored, .. } => {
                (HeldChangeKind::Update, changes, restored.then(|| "back in the HR system after being missing".to_owned()))
            }
            Action::Exclude { reasons, .. } => (HeldChangeKind::Exclude, Vec::new(), Some(reasons.join("; "))),
            Action::Missing { since, .. } => {
                (HeldChangeKind::Missing, Vec::new(), Some(format!("absent from the HR system since {since}")))
            }
            Action::Depart { missing_since, .. } => (
                HeldChangeKind::Depart,
                Vec::new(),
                Some(format!("missing since {missing_since}, longer than the grace period: moves to departed")),
            ),
        };
        HeldChange { remote_id: planned.remote_id, name: planned.name, kind, changes, detail }
    }
}
