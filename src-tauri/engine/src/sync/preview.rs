//! The filter preview: every person the source returns, included or excluded, and why.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plan::{display_name, exclusion_reasons, Filters};
use super::{org_names, read, stage};
use crate::connector::{Connector, ReadRequest};
use crate::error::Result;
use crate::model::Field;
use crate::store::sources::Source;

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
pub fn preview(conn: &mut Connection, source: &Source, connector: &dyn Connector, filters: &Filters) -> Result<Vec<PreviewRow>> {
    let request = ReadRequest { updated_after: None, disabled_fields: source.disabled_fields.clone() };
    let result = preview_staged(conn, source, connector, &request, filters);
    stage::drop(conn)?;
    result
}

fn preview_staged(
    conn: &mut Connection,
    source: &Source,
    connector: &dyn Connector,
    request: &ReadRequest,
    filters: &Filters,
) -> Result<Vec<PreviewRow>> {
    // A preview is of the read a sync would make now, without the people retention erased.
    let (org, _) = read(conn, source.id, connector, request, chrono::Utc::now(), &mut |_| {})?;
    let names = org_names(conn, source.id, &org)?;
    let team_names: std::collections::HashMap<&str, &str> = org
        .groups
        .iter()
        .filter(|g| g.kind.as_deref() == Some("TEAM"))
        .filter_map(|g| Some((g.remote_id.as_str(), g.name.as_deref()?)))
        .collect();
    stage::for_each_employee(conn, |people| {
        people
            .filter(|p| !p.deleted)
            .map(|person| {
                let v = &person.values;
                let reasons = exclusion_reasons(v, filters, &names);
                let team_ids: Vec<String> = v
                    .get(Field::Groups)
                    .map(|g| g.split(',').filter(|id| team_names.contains_key(id)).map(str::to_owned).collect())
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
