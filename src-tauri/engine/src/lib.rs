//! Roster's engine: the employee directory, its HR connectors and the sync between them.
//! Nothing here depends on a GUI, so the CLI, the tests and the desktop shell share it.

pub mod connector;
mod engine;
pub mod error;
pub mod export;
pub mod group_ids;
pub mod model;
pub mod oauth;
pub mod paths;
pub mod private;
pub mod providers;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod timezones;

pub use engine::{
    next_notice_check, Action, ChecklistChanges, DeviceToRecover, Engine, EntityPeople, EquipmentSuggestion, Explanation,
    FieldModeRow, FilterInput, FilterView, HrDifference, Named, Notice, Overview, PersonalData, Profile, ProfileField,
    SourceHealth, SourceStatus, Status, TimelineWeek, NO_LEGAL_ENTITY, OVERVIEW_STEPS, TIMELINE_WEEKS,
};
pub use error::{Error, Result};
pub use store::change_log::ChangeEntry;
pub use store::device_assignments::HandOver;
pub use store::employee_links::SourceRecord;
