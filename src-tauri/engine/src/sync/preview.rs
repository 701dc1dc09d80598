//! The filter preview: every person the source returns, included or excluded, and why.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plan::{display_name, exclusion_reasons};
use super::retention::PastRetention;
use super::stop::{Cancel, Stop};
use super::{org_names, read};
use crate::connector::{Connector, ReadRequest};
use crate::error::Result;
use crate::group_ids;
use crate::model::{Field, Filters};
use crate::store::sources::Source;
use crate::store::{settings, staging, Db};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    pub remote_id: String,
    pub name: String,
    pub work_email: Option<String>,
    pub legal_entity: Option<String>,
    /// The legal entity's id in the source, for filters: before the first sync the directory does
    /// not know the source's legal entities yet, so the preview is where the choices come from.
    pub legal_entity_id: Option<String>,
    pub employment_type: Option<String>,
    pub teams: Vec<String>,
    /// The teams' ids in the source, in the order of `teams`.
    pub team_ids: Vec<String>,
    pub start_date: Option<String>,
    pub termination_date: Option<String>,
    pub included: bool,
    /// One reason per filter the person fails, naming the filter and the person's value.
    pub reasons: Vec<String>,
}

/// Reads the source (nothing is written to the directory) and sorts its people under `filters`.
pub fn preview(
    conn: &mut Db,
    source: &Source,
    connector: Arc<dyn Connector>,
    filters: &Filters,
    now: DateTime<Utc>,
) -> Result<Vec<PreviewRow>> {
    let request = ReadRequest { updated_after: None, disabled_fields: source.disabled_fields.clone() };
    // A preview reads as much as a full sync: the same deadline holds.
    let limit = Duration::from_secs(settings::load(conn)?.sync_deadline_secs.into());
    let stop = Stop::new(Cancel::default(), limit);
    let result = preview_staged(conn, source, connector, &request, &stop, filters, now);
    staging::drop(conn)?;
    result
}

fn preview_staged(
    conn: &mut Db,
    source: &Source,
    connector: Arc<dyn Connector>,
    request: &ReadRequest,
    stop: &Stop,
    filters: &Filters,
    now: DateTime<Utc>,
) -> Result<Vec<PreviewRow>> {
    // Everyone the source returns; those a sync would skip as past retention say so.
    let past = PastRetention::load(conn, source.id, now)?;
    let (org, _) = read(conn, connector, request, &PastRetention::none(), stop, &mut |_| {})?;
    let names = org_names(conn, source.id, &org)?;
    let team_names: std::collections::HashMap<&str, &str> = org
        .groups
        .iter()
        .filter(|g| g.kind.as_deref() == Some("TEAM"))
        .filter_map(|g| Some((g.remote_id.as_str(), g.name.as_deref()?)))
        .collect();
    staging::for_each_employee(conn, |people| {
        people
            .filter(|p| !p.deleted)
            .map(|person| {
                let v = &person.values;
                let mut reasons = exclusion_reasons(v, filters, &names);
                reasons.extend(past.reason(&person));
                let team_ids: Vec<String> = v
                    .get(Field::Groups)
                    .map(|g| group_ids::split(g).into_iter().filter(|id| team_names.contains_key(id.as_str())).collect())
                    .unwrap_or_default();
                PreviewRow {
                    name: display_name(v),
                    work_email: v.get(Field::WorkEmail).map(str::to_owned),
                    legal_entity: v
                        .get(Field::LegalEntity)
                        .map(|id| names.legal_entities.get(id).cloned().unwrap_or_else(|| id.to_owned())),
                    employment_type: v.get(Field::EmploymentType).map(str::to_owned),
                    legal_entity_id: v.get(Field::LegalEntity).map(str::to_owned),
                    teams: team_ids.iter().map(|id| team_names[id.as_str()].to_owned()).collect(),
                    team_ids,
                    start_date: v.get(Field::StartDate).map(str::to_owned),
                    termination_date: v.get(Field::EndDate).map(str::to_owned),
                    included: reasons.is_empty(),
                    reasons,
                    remote_id: person.remote_id,
                }
            })
            .collect()
    })
}
