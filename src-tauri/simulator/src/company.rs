//! The simulated customer: one company's legal entities, locations, groups and
//! employees, kept sorted by id so that any page is a cheap range walk.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, NaiveDate, Utc};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::records::{Employee, Employment, Group, LegalEntity, Location};

/// Everything that decides a generated company: same spec, same company, byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanySpec {
    pub seed: u64,
    pub size: usize,
    /// "Today" for the company: future hires and terminations are placed around it.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Company {
    #[serde(skip)]
    pub(crate) spec: CompanySpec,
    pub(crate) legal_entities: BTreeMap<String, LegalEntity>,
    pub(crate) locations: BTreeMap<String, Location>,
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) employees: BTreeMap<String, Employee>,
    /// Employment id → employee id: employments live inside their employee (as
    /// Kombo embeds them), and this index lets `/hris/employments` page by id.
    #[serde(skip)]
    pub(crate) employment_owner: BTreeMap<String, String>,
    /// Legal entity ids in the order they were created (the German entity first),
    /// which is the default entity of a scripted hire.
    #[serde(skip)]
    pub(crate) entity_order: Vec<String>,
    /// Continues the generator's stream so scripted hires get deterministic ids.
    #[serde(skip)]
    pub(crate) rng: ChaCha8Rng,
}

impl Company {
    pub fn generate(spec: CompanySpec) -> Company {
        crate::generate::generate(spec)
    }

    pub fn spec(&self) -> CompanySpec {
        self.spec
    }

    /// All employees, deleted ones included, in id order.
    pub fn employees(&self) -> impl Iterator<Item = &Employee> + '_ {
        self.employees.values()
    }

    pub fn employee(&self, id: &str) -> Option<&Employee> {
        self.employees.get(id)
    }

    /// All employments in id order.
    pub fn employments(&self) -> impl Iterator<Item = &Employment> + '_ {
        self.employments_after(None)
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> + '_ {
        self.groups.values()
    }

    pub fn legal_entities(&self) -> impl Iterator<Item = &LegalEntity> + '_ {
        self.legal_entities.values()
    }

    pub fn locations(&self) -> impl Iterator<Item = &Location> + '_ {
        self.locations.values()
    }

    /// The whole company as JSON: what the determinism guarantee is stated over.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("company records always serialise")
    }

    pub(crate) fn employments_after<'a>(&'a self, after: Option<&'a str>) -> impl Iterator<Item = &'a Employment> + 'a {
        self.employment_owner.range::<str, _>((exclusive(after), Bound::Unbounded)).filter_map(|(employment_id, employee_id)| {
            self.employees.get(employee_id)?.employments.iter().find(|employment| &employment.id == employment_id)
        })
    }

    pub(crate) fn insert_employee(&mut self, employee: Employee) {
        for employment in &employee.employments {
            self.employment_owner.insert(employment.id.clone(), employee.id.clone());
        }
        self.employees.insert(employee.id.clone(), employee);
    }

    /// Kombo embeds a copy of the manager in each report; after a manager changes,
    /// the copies must follow, and (as Kombo's `updated_after` also matches changes
    /// in related data) the reports count as changed too.
    pub(crate) fn refresh_manager_copies(&mut self, manager_id: &str, now: DateTime<Utc>) {
        let Some(manager) = self.employees.get(manager_id).map(Employee::as_manager) else {
            return;
        };
        for employee in self.employees.values_mut() {
            if employee.manager_id.as_deref() == Some(manager_id) && employee.manager.as_ref() != Some(&manager) {
                employee.manager = Some(manager.clone());
                employee.changed_at = now;
            }
        }
    }
}

/// Records of one model in id order, starting strictly after `after`.
pub(crate) fn after<'a, T>(records: &'a BTreeMap<String, T>, after: Option<&'a str>) -> impl Iterator<Item = &'a T> + 'a {
    records.range::<str, _>((exclusive(after), Bound::Unbounded)).map(|(_, record)| record)
}

/// A range start that skips everything up to and including `after`.
pub(crate) fn exclusive(after: Option<&str>) -> Bound<&str> {
    after.map_or(Bound::Unbounded, Bound::Excluded)
}
