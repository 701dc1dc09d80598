//! A source's settings as people name them: field modes, filters by name, optional fields, and
//! the directory's own settings.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Action, Engine};
use crate::error::{Error, Result};
use crate::model::{Field, FieldMode, Filters};
use crate::store::change_log::{self, ConfigChange};
use crate::store::db::Db;
use crate::store::settings::{self, Settings};
use crate::store::sites::{self, Sites};
use crate::store::{employees, field_conflicts, groups, sources};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FieldModeRow {
    pub field: Field,
    pub mode: FieldMode,
    /// Optional fields can be switched off; then they are neither read nor kept.
    pub optional: bool,
    pub enabled: bool,
}

/// A filter list with each value's display name.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FilterView {
    pub legal_entities: Vec<Named>,
    pub employment_types: Vec<String>,
    pub teams: Vec<Named>,
}

impl FilterView {
    /// The filters with the names the directory knows (an id it does not know stands for itself).
    fn of(conn: &Db, source_id: i64, filters: &Filters) -> Result<FilterView> {
        let named = |ids: &std::collections::BTreeSet<String>, name_of: &dyn Fn(&str) -> Result<Option<String>>| {
            ids.iter()
                .map(|id| Ok(Named { id: id.clone(), name: name_of(id)?.unwrap_or_else(|| id.clone()) }))
                .collect::<Result<Vec<_>>>()
        };
        Ok(FilterView {
            legal_entities: named(&filters.legal_entities, &|id| sites::name_of(conn, Sites::LegalEntities, source_id, id))?,
            employment_types: filters.employment_types.iter().cloned().collect(),
            teams: named(&filters.teams, &|id| groups::name_of(conn, source_id, id))?,
        })
    }
}

/// As the change log keeps it: "legal entities: Quillon GmbH; teams: Sales", or "everyone".
impl std::fmt::Display for FilterView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |named: &[Named]| named.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        let parts: Vec<String> = [
            ("legal entities", names(&self.legal_entities)),
            ("employment types", self.employment_types.clone()),
            ("teams", names(&self.teams)),
        ]
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(what, values)| format!("{what}: {}", values.join(", ")))
        .collect();
        if parts.is_empty() {
            f.write_str("everyone")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// Filters given by name (or id), as a person types them.
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    pub legal_entities: Vec<String>,
    pub employment_types: Vec<String>,
    pub teams: Vec<String>,
}

impl Engine {
    pub fn field_modes(&self, source_name: &str) -> Result<Vec<FieldModeRow>> {
        let source = self.source(source_name)?;
        let modes = sources::field_modes(self.store.conn(), source.id)?;
        Ok(Field::ALL
            .into_iter()
            .map(|field| FieldModeRow {
                field,
                mode: modes[&field],
                optional: field.is_optional(),
                enabled: !source.disabled_fields.contains(&field),
            })
            .collect())
    }

    pub fn set_field_mode(&mut self, source_name: &str, field: Field, mode: FieldMode, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeFieldModes, |engine| {
            let source = engine.source(source_name)?;
            let tx = engine.store.begin()?;
            let old = sources::field_modes(&tx, source.id)?[&field];
            sources::set_field_mode(&tx, source.id, field, mode)?;
            if old != mode {
                let change = ConfigChange {
                    at: &now.to_rfc3339(),
                    source_id: Some(source.id),
                    action: "field_mode_changed",
                    field: Some(field.name()),
                    old: Some(old.as_str()),
                    new: Some(mode.as_str()),
                };
                change_log::record_config(&tx, &change)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Switches an optional field on or off. Switched off, the values already stored are erased at
    /// once: a field the source may not read is not kept either.
    pub fn set_optional_field(&mut self, source_name: &str, field: Field, enabled: bool, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeFieldModes, |engine| {
            let source = engine.source(source_name)?;
            let tx = engine.store.begin()?;
            sources::set_optional_field(&tx, source.id, field, enabled)?;
            let was_enabled = !source.disabled_fields.contains(&field);
            if was_enabled != enabled {
                let action = if enabled { "optional_field_switched_on" } else { "optional_field_switched_off" };
                let change = ConfigChange {
                    at: &now.to_rfc3339(),
                    source_id: Some(source.id),
                    action,
                    field: Some(field.name()),
                    old: None,
                    new: None,
                };
                change_log::record_config(&tx, &change)?;
            }
            if !enabled {
                let at = now.to_rfc3339();
                employees::clear_for_source(&tx, source.id, field, &at)?;
                // Past values live on in the change history and in conflicts: they go too.
                change_log::forget_field(&tx, source.id, field)?;
                field_conflicts::forget_field(&tx, source.id, field)?;
                // A plan waiting for approval carries the values it read, this field's included:
                // approving it would write them back. The next sync (a full read) plans anew.
                let why = format!("discarded: the optional field {} was switched off", field.name());
                crate::sync::discard_held(&tx, source.id, &why, now)?;
            }
            tx.commit()?;
            if !enabled {
                engine.store.flush_erased()?;
            }
            Ok(())
        })
    }

    pub fn filters(&self, source_name: &str) -> Result<FilterView> {
        let source = self.source(source_name)?;
        let filters = sources::filters(self.store.conn(), source.id)?;
        FilterView::of(self.store.conn(), source.id, &filters)
    }

    /// Filters from names (or ids); an unknown name is an error that lists the known ones. A name the directory does not know (before the source's first
    /// sync it knows none) is looked up in the HR system's own lists, as the window's preview does.
    pub fn resolve_filters(&self, source_name: &str, input: &FilterInput) -> Result<Filters> {
        Ok(self.resolve(source_name, input)?.0)
    }

    /// Sets filters given by name (or id), and returns them named.
    pub fn set_filters_by_name(&mut self, source_name: &str, input: &FilterInput, now: DateTime<Utc>) -> Result<FilterView> {
        let (filters, view) = self.resolve(source_name, input)?;
        // The log names them as resolved: before a source's first sync the directory knows no names.
        self.store_filters(source_name, &filters, Some(&view), now)?;
        Ok(view)
    }

    fn resolve(&self, source_name: &str, input: &FilterInput) -> Result<(Filters, FilterView)> {
        let source = self.source(source_name)?;
        let mut entities = sites::known(self.store.conn(), Sites::LegalEntities, source.id)?;
        let mut teams = groups::known_teams(self.store.conn(), source.id)?;
        let find = |known: &[(String, String)], v: &str| -> Option<Named> {
            known
                .iter()
                .find(|(id, name)| id == v || name.eq_ignore_ascii_case(v))
                .map(|(id, name)| Named { id: id.clone(), name: name.clone() })
        };
        let unknown = |known: &[(String, String)], values: &[String]| values.iter().any(|v| find(known, v).is_none());
        if unknown(&entities, &input.legal_entities) || unknown(&teams, &input.teams) {
            let units = crate::sync::units::read(self.connector(&source)?.as_ref(), &source)?;
            entities.extend(units.legal_entities);
            teams.extend(units.teams);
        }
        let resolve = |known: &[(String, String)], what: &str, values: &[String]| -> Result<Vec<Named>> {
            values
                .iter()
                .map(|v| {
                    find(known, v).ok_or_else(|| {
                        let names: Vec<&str> = known.iter().map(|(_, n)| n.as_str()).collect();
                        Error::Invalid(format!("{source_name} has no {what} \"{v}\"; known: {}", names.join(", ")))
                    })
                })
                .collect()
        };
        let (entities, teams) =
            (resolve(&entities, "legal entity", &input.legal_entities)?, resolve(&teams, "team", &input.teams)?);
        let ids = |named: &[Named]| named.iter().map(|n| n.id.clone()).collect();
        let filters = Filters {
            legal_entities: ids(&entities),
            employment_types: input.employment_types.iter().map(|t| t.trim().to_uppercase()).collect(),
            teams: ids(&teams),
        };
        // Named as they are stored: each value once, in order.
        let named = |ids: &std::collections::BTreeSet<String>, all: &[Named]| -> Vec<Named> {
            ids.iter().filter_map(|id| all.iter().find(|n| &n.id == id).cloned()).collect()
        };
        let view = FilterView {
            legal_entities: named(&filters.legal_entities, &entities),
            employment_types: filters.employment_types.iter().cloned().collect(),
            teams: named(&filters.teams, &teams),
        };
        Ok((filters, view))
    }

    pub fn set_filters(&mut self, source_name: &str, filters: &Filters, now: DateTime<Utc>) -> Result<()> {
        self.store_filters(source_name, filters, None, now)
    }

    /// Stores `filters` and logs the change; `named` is how the new ones read, if the caller knows
    /// better than the directory.
    fn store_filters(
        &mut self,
        source_name: &str,
        filters: &Filters,
        named: Option<&FilterView>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.acting(Action::ChangeFilters, |engine| {
            let source = engine.source(source_name)?;
            let tx = engine.store.begin()?;
            let old = sources::filters(&tx, source.id)?;
            sources::set_filters(&tx, source.id, filters)?;
            if &old != filters {
                let new = match named {
                    Some(view) => view.to_string(),
                    None => FilterView::of(&tx, source.id, filters)?.to_string(),
                };
                let change = ConfigChange {
                    at: &now.to_rfc3339(),
                    source_id: Some(source.id),
                    action: "filters_changed",
                    field: None,
                    old: Some(&FilterView::of(&tx, source.id, &old)?.to_string()),
                    new: Some(&new),
                };
                change_log::record_config(&tx, &change)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    pub fn settings(&self) -> Result<Settings> {
        settings::load(self.store.conn())
    }

    /// Saves the directory's settings; each one that changed is logged with its old and new value.
    pub fn save_settings(&mut self, settings: &Settings, now: DateTime<Utc>) -> Result<()> {
        self.acting(Action::ChangeSettings, |engine| {
            let tx = engine.store.begin()?;
            let old = settings::load(&tx)?;
            settings::save(&tx, settings)?;
            // Every setting by its name, as it is stored and as the window and the CLI name it.
            let (old, new) = (serde_json::to_value(old)?, serde_json::to_value(settings)?);
            let at = now.to_rfc3339();
            for (name, value) in
                new.as_object().into_iter().flatten().filter(|(name, value)| old.get(name.as_str()) != Some(value))
            {
                let was = old.get(name.as_str()).map(ToString::to_string);
                let change = ConfigChange {
                    at: &at,
                    source_id: None,
                    action: "setting_changed",
                    field: Some(name),
                    old: was.as_deref(),
                    new: Some(&value.to_string()),
                };
                change_log::record_config(&tx, &change)?;
            }
            tx.commit()?;
            Ok(())
        })
    }
}
