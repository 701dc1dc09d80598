//! A source's legal entities and teams as its HR system lists them, read without its people: the
//! choices for filters set before the source's first sync, when the directory knows none yet.

use crate::connector::{Connector, ReadRequest, Record};
use crate::error::{Error, Result};
use crate::store::sources::Source;

/// Units as (id, name); a unit without a name goes by its id.
#[derive(Debug, Default)]
pub struct Units {
    pub legal_entities: Vec<(String, String)>,
    pub teams: Vec<(String, String)>,
}

/// Reads until the first person: a connector hands over every organisation unit before them.
pub fn read(connector: &dyn Connector, source: &Source) -> Result<Units> {
    let request = ReadRequest { updated_after: None, disabled_fields: source.disabled_fields.clone() };
    let mut units = Units::default();
    let mut reached_people = false;
    let read = connector.read(&request, &mut |record| {
        match record {
            Record::LegalEntity(site) if !site.deleted => {
                let name = site.name.unwrap_or_else(|| site.remote_id.clone());
                units.legal_entities.push((site.remote_id, name));
            }
            Record::Group(group) if !group.deleted && group.kind.as_deref() == Some("TEAM") => {
                let name = group.name.unwrap_or_else(|| group.remote_id.clone());
                units.teams.push((group.remote_id, name));
            }
            Record::Employee(_) => {
                reached_people = true;
                // Stops the read: the people are not needed (nor kept).
                return Err(Error::Invalid("the organisation units are read".into()));
            }
            _ => {}
        }
        Ok(())
    });
    match read {
        Err(_) if reached_people => Ok(units),
        other => other.map(|()| units),
    }
}
