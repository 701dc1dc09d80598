//! The pure half of a sync: what HR sent, what the directory holds and the source's settings in;
//! the list of changes out. No I/O and no clock: `now` is an argument, so every rule is testable.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::connector::RemoteEmployee;
use crate::group_ids;
use crate::model::{Field, FieldMode, FieldValues, Filters, LocalEmployee, LocalState, PlanCounts};

/// Names of the source's organisation units, so that reasons speak in words, not ids.
#[derive(Debug, Clone, Default)]
pub struct OrgNames {
    pub legal_entities: HashMap<String, String>,
    pub groups: HashMap<String, String>,
}

impl OrgNames {
    fn legal_entity(&self, id: &str) -> String {
        self.legal_entities.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn group(&self, id: &str) -> String {
        self.groups.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

/// Everything about the source that the plan depends on.
#[derive(Debug, Clone)]
pub struct SourceSettings {
    /// True until the source's first successful sync: then every synchronised field overwrites.
    pub first_sync: bool,
    /// True when the connector read everything (not only changes): only then does absence mean "missing".
    pub full_read: bool,
    pub modes: HashMap<Field, FieldMode>,
    pub filters: Filters,
    pub names: OrgNames,
    /// Days a person may be missing from the feed before they are moved to departed.
    pub missing_grace_days: u32,
}

impl SourceSettings {
    pub fn mode(&self, field: Field) -> FieldMode {
        self.modes.get(&field).copied().unwrap_or_else(|| field.default_mode())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeReason {
    /// The source's first sync overwrites every synchronised field.
    FirstSync,
    /// The field is in continuous mode.
    Continuous,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: Field,
    pub old: Option<String>,
    pub new: Option<String>,
    pub reason: ChangeReason,
}

/// Two sources disagree on a field: the directory keeps the value of the source connected first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct FieldConflict {
    pub field: Field,
    /// The value in the directory, from the source connected first.
    pub kept: Option<String>,
    /// This source's value.
    pub theirs: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchedBy {
    WorkEmail,
    EmployeeNumber,
}

/// What the sync will do with one employee.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// A person new to the directory: the profile is created from HR data. The values are not
    /// copied into the plan (a first sync creates the whole company); apply reads them from the
    /// staged read, or from the held plan's own copy.
    Create,
    /// A person already in the directory; `matched` is set when this is the source's first meeting
    /// with someone created otherwise (CSV, another source).
    Update {
        employee_id: i64,
        matched: Option<MatchedBy>,
        changes: Vec<FieldChange>,
        /// Import-once fields where HR differs from the directory: the local value is kept.
        kept: Vec<Field>,
        /// Fields where this source disagrees with the source connected first.
        conflicts: Vec<FieldConflict>,
        /// The person had been missing from the feed and is back.
        restored: bool,
    },
    /// Outside the source's filters. `employee_id` is set when the person is in the directory:
    /// they are marked out of scope, never deleted.
    Exclude { employee_id: Option<i64>, reasons: Vec<String> },
    /// In the directory but deleted in or absent from HR: marked missing since `since`.
    Missing { employee_id: i64, since: String },
    /// Missing for longer than the grace period: moved to departed.
    Depart { employee_id: i64, missing_since: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlannedEmployee {
    pub remote_id: String,
    pub name: String,
    #[serde(flatten)]
    pub action: Action,
}

/// The plan of one sync: every employee that changes, with the reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct SyncPlan {
    pub employees: Vec<PlannedEmployee>,
    pub counts: PlanCounts,
    /// How many people of the source the directory held before this plan.
    pub linked_before: u32,
}

impl SyncPlan {
    /// People this plan would offboard, remove or put out of scope.
    pub fn disruptive(&self) -> u32 {
        let newly_out_of_scope =
            self.employees.iter().filter(|p| matches!(p.action, Action::Exclude { employee_id: Some(_), .. })).count() as u32;
        self.counts.departing + self.counts.missing + newly_out_of_scope
    }

    /// True when the plan touches more than `percent` % of the source's people: it is then held
    /// for approval instead of applied. A source's first sync is never held: it removes nobody.
    pub fn needs_approval(&self, percent: u32) -> bool {
        self.linked_before > 0 && u64::from(self.disruptive()) * 100 > u64::from(percent) * u64::from(self.linked_before)
    }
}

/// Why a person is outside the source's filters: one reason per list they fail, naming the value.
pub fn exclusion_reasons(values: &FieldValues, filters: &Filters, names: &OrgNames) -> Vec<String> {
    let mut reasons = Vec::new();
    if !filters.legal_entities.is_empty() {
        match values.get(Field::LegalEntity) {
            Some(id) if filters.legal_entities.contains(id) => {}
            Some(id) => {
                reasons.push(format!("legal entity \"{}\" is not among the selected legal entities", names.legal_entity(id)))
            }
            None => reasons.push("no legal entity, and the source only includes selected legal entities".into()),
        }
    }
    if !filters.employment_types.is_empty() {
        match values.get(Field::EmploymentType) {
            Some(t) if filters.employment_types.contains(t) => {}
            Some(t) => reasons.push(format!("employment type {t} is not among the selected employment types")),
            None => reasons.push("no employment type, and the source only includes selected employment types".into()),
        }
    }
    if !filters.teams.is_empty() {
        let groups = values.get(Field::Groups).map(group_ids::split).unwrap_or_default();
        if !groups.iter().any(|g| filters.teams.contains(g)) {
            let teams: Vec<String> = groups.iter().filter(|g| names.groups.contains_key(*g)).map(|g| names.group(g)).collect();
            reasons.push(if teams.is_empty() {
                "in no team, and the source only includes selected teams".into()
            } else {
                format!("teams \"{}\" are not among the selected teams", teams.join("\", \""))
            });
        }
    }
    reasons
}

/// A person's display name from HR values.
pub fn display_name(values: &FieldValues) -> String {
    let name = [values.get(Field::FirstName), values.get(Field::LastName)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        values.get(Field::WorkEmail).unwrap_or("(no name)").to_owned()
    } else {
        name
    }
}

/// Plans one sync of one source.
///
/// `feed` is what the source returned, each person beside the employee the source already links
/// to them; `absent` is the linked people the read did not return (all of them after a full read,
/// only those already missing after an incremental one). Both arrive in a stable order, and only
/// what changes is kept, so memory follows the size of the change, not of the company.
pub fn plan(
    feed: impl IntoIterator<Item = (RemoteEmployee, Option<LocalEmployee>)>,
    absent: impl IntoIterator<Item = (String, LocalEmployee)>,
    local: &LocalState,
    settings: &SourceSettings,
    now: DateTime<Utc>,
) -> SyncPlan {
    let mut planner = Planner::new(local, now);
    for (person, linked) in feed {
        planner.person(settings, &person, linked.as_ref());
    }
    planner.finish(settings, absent)
}

/// Plans person by person, for a sync that writes each person as they are read. [`plan`] is
/// this, fed the whole read. The settings come with each call: such a sync learns the names of
/// organisation units as it reads them.
pub struct Planner<'a> {
    local: &'a LocalState,
    now: DateTime<Utc>,
    today: String,
    returned: usize,
    out: SyncPlan,
}

impl<'a> Planner<'a> {
    pub fn new(local: &'a LocalState, now: DateTime<Utc>) -> Planner<'a> {
        Planner {
            local,
            now,
            today: now.date_naive().to_string(),
            returned: 0,
            out: SyncPlan { linked_before: local.linked_count, ..SyncPlan::default() },
        }
    }

    /// Plans one person the source returned, beside the employee it already links to them.
    /// Returns what is planned for them, or `None` when nothing changes.
    pub fn person(
        &mut self,
        settings: &SourceSettings,
        person: &RemoteEmployee,
        linked: Option<&LocalEmployee>,
    ) -> Option<&PlannedEmployee> {
        let before = self.out.employees.len();
        self.plan_person(settings, person, linked);
        self.out.employees[before..].first()
    }

    fn plan_person(&mut self, settings: &SourceSettings, person: &RemoteEmployee, linked: Option<&LocalEmployee>) {
        let out = &mut self.out;
        self.returned += 1;
        let name = display_name(&person.values);
        let remote_id = person.remote_id.clone();

        if person.deleted {
            if let Some(existing) = linked {
                missing_or_departing(out, remote_id, name, existing, &self.today, settings, self.now);
            }
            return;
        }

        let reasons = exclusion_reasons(&person.values, &settings.filters, &settings.names);
        if !reasons.is_empty() {
            out.counts.excluded += 1;
            let employee_id = linked.map(|l| l.employee_id);
            let already_marked = linked.and_then(|l| l.out_of_scope.as_deref()) == Some(reasons.join("; ").as_str());
            if !already_marked || employee_id.is_none() {
                out.employees.push(PlannedEmployee { remote_id, name, action: Action::Exclude { employee_id, reasons } });
            }
            return;
        }

        let first_meeting = linked.is_none();
        let (existing, matched) = match linked {
            Some(l) => (Some(l), None),
            None => match match_unlinked(&person.values, self.local) {
                Some((l, how)) => (Some(l), Some(how)),
                None => (None, None),
            },
        };
        let Some(existing) = existing else {
            out.counts.created += 1;
            out.employees.push(PlannedEmployee { remote_id, name, action: Action::Create });
            return;
        };

        let overwrite_all = settings.first_sync || first_meeting;
        let mut changes = Vec::new();
        let mut kept = Vec::new();
        let mut conflicts = Vec::new();
        for field in Field::ALL {
            let new = person.values.get(field);
            let old = existing.values.get(field);
            if new == old {
                continue;
            }
            let reason = if existing.owned_elsewhere.contains(&field) {
                conflicts.push(FieldConflict { field, kept: old.map(str::to_owned), theirs: new.map(str::to_owned) });
                continue;
            } else if overwrite_all {
                ChangeReason::FirstSync
            } else if settings.mode(field) == FieldMode::Continuous {
                ChangeReason::Continuous
            } else {
                kept.push(field);
                continue;
            };
            changes.push(FieldChange { field, old: old.map(str::to_owned), new: new.map(str::to_owned), reason });
        }
        let restored = existing.missing_since.is_some() || existing.out_of_scope.is_some() || existing.departed;
        let conflicts_changed = conflicts.iter().map(|c| (c.field, c.theirs.clone())).collect::<Vec<_>>() != existing.conflicts;
        if changes.is_empty() && !conflicts_changed && !restored && matched.is_none() {
            out.counts.unchanged += 1;
            return;
        }
        if changes.iter().any(|c| c.field == Field::EndDate && c.old.is_none() && c.new.is_some()) {
            out.counts.departing += 1;
        }
        out.counts.updated += 1;
        out.employees.push(PlannedEmployee {
            remote_id,
            name,
            action: Action::Update { employee_id: existing.employee_id, matched, changes, kept, conflicts, restored },
        });
    }

    /// Plans the linked people the read did not return, and hands over the plan.
    pub fn finish(mut self, settings: &SourceSettings, absent: impl IntoIterator<Item = (String, LocalEmployee)>) -> SyncPlan {
        // Absence means "missing" only after a complete read that returned people: an empty or partial
        // answer is never read as "everyone left". People already missing run down their grace period.
        let complete = settings.full_read && self.returned > 0;
        for (remote_id, l) in absent {
            if l.missing_since.is_some() || complete {
                let name = display_name(&l.values);
                missing_or_departing(&mut self.out, remote_id, name, &l, &self.today, settings, self.now);
            }
        }
        self.out
    }
}

/// A linked person the source no longer returns (or reports deleted): marked missing since today,
/// or, once missing for longer than the grace period, moved to departed.
fn missing_or_departing(
    out: &mut SyncPlan,
    remote_id: String,
    name: String,
    existing: &LocalEmployee,
    today: &str,
    settings: &SourceSettings,
    now: DateTime<Utc>,
) {
    let action = match existing.missing_since.as_deref() {
        None => {
            out.counts.missing += 1;
            Action::Missing { employee_id: existing.employee_id, since: today.to_owned() }
        }
        Some(since) if !existing.departed && grace_over(since, now, settings.missing_grace_days) => {
            out.counts.departing += 1;
            Action::Depart { employee_id: existing.employee_id, missing_since: since.to_owned() }
        }
        Some(_) => return,
    };
    out.employees.push(PlannedEmployee { remote_id, name, action });
}

fn grace_over(missing_since: &str, now: DateTime<Utc>, grace_days: u32) -> bool {
    chrono::NaiveDate::parse_from_str(missing_since, "%Y-%m-%d")
        .map(|since| (now.date_naive() - since).num_days() >= i64::from(grace_days))
        .unwrap_or(false)
}

fn match_unlinked<'a>(values: &FieldValues, local: &'a LocalState) -> Option<(&'a LocalEmployee, MatchedBy)> {
    if let Some(found) = values.get(Field::WorkEmail).and_then(|e| local.unlinked_by_email.get(&e.to_lowercase())) {
        return Some((found, MatchedBy::WorkEmail));
    }
    values
        .get(Field::EmployeeNumber)
        .and_then(|n| local.unlinked_by_number.get(n))
        .map(|found| (found, MatchedBy::EmployeeNumber))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    fn settings() -> SourceSettings {
        SourceSettings {
            first_sync: false,
            full_read: true,
            modes: HashMap::new(),
            filters: Filters::default(),
            names: OrgNames::default(),
            missing_grace_days: 7,
        }
    }

    fn values(last_name: &str) -> FieldValues {
        let mut v = FieldValues::default();
        v.set(Field::LastName, Some(last_name.into()));
        v.set(Field::WorkEmail, Some(format!("{}@example.com", last_name.to_lowercase())));
        v
    }

    fn remote(id: &str, last_name: &str) -> RemoteEmployee {
        RemoteEmployee { remote_id: id.into(), values: values(last_name), deleted: false }
    }

    fn local(employee_id: i64, last_name: &str) -> LocalEmployee {
        LocalEmployee {
            employee_id,
            values: values(last_name),
            missing_since: None,
            out_of_scope: None,
            departed: false,
            owned_elsewhere: Vec::new(),
            conflicts: Vec::new(),
        }
    }

    /// Plans as the sync does: each returned person beside their linked record, then the linked
    /// people the read did not return (after an incremental read, only those already missing).
    fn run(feed: Vec<RemoteEmployee>, linked: Vec<(&str, LocalEmployee)>, settings: &SourceSettings) -> SyncPlan {
        let mut linked: HashMap<String, LocalEmployee> = linked.into_iter().map(|(id, l)| (id.to_owned(), l)).collect();
        let state = LocalState { linked_count: linked.len() as u32, ..LocalState::default() };
        let pairs: Vec<_> = feed
            .into_iter()
            .map(|r| {
                let l = linked.remove(&r.remote_id);
                (r, l)
            })
            .collect();
        let mut absent: Vec<(String, LocalEmployee)> =
            linked.into_iter().filter(|(_, l)| settings.full_read || l.missing_since.is_some()).collect();
        absent.sort_by(|a, b| a.0.cmp(&b.0));
        plan(pairs, absent, &state, settings, now())
    }

    #[test]
    fn an_empty_feed_is_never_read_as_everyone_left() {
        let plan = run(Vec::new(), vec![("a", local(1, "Ames")), ("b", local(2, "Berg"))], &settings());
        assert!(plan.employees.is_empty(), "an empty answer marks nobody missing: {plan:?}");
    }

    #[test]
    fn absence_from_an_incremental_read_means_nothing() {
        let plan = run(
            vec![remote("a", "Ames")],
            vec![("a", local(1, "Ames")), ("b", local(2, "Berg"))],
            &SourceSettings { full_read: false, ..settings() },
        );
        assert_eq!(plan.counts.missing, 0, "only a full read can tell who is gone");
        assert_eq!(plan.counts.unchanged, 1);
    }

    #[test]
    fn absence_from_a_full_read_marks_a_person_missing() {
        let plan = run(vec![remote("a", "Ames")], vec![("a", local(1, "Ames")), ("b", local(2, "Berg"))], &settings());
        assert_eq!(
            plan.employees[0].action,
            Action::Missing { employee_id: 2, since: "2026-11-25".into() },
            "a person absent from a full read is marked missing since today"
        );
    }

    #[test]
    fn a_missing_person_who_reappears_is_restored() {
        let mut berg = local(2, "Berg");
        berg.missing_since = Some("2026-11-20".into());
        let plan = run(vec![remote("b", "Berg")], vec![("b", berg)], &settings());
        assert!(
            matches!(plan.employees[0].action, Action::Update { restored: true, .. }),
            "a person back in the feed is restored: {plan:?}"
        );
        assert_eq!(plan.counts.departing, 0);
    }

    #[test]
    fn a_person_missing_past_the_grace_period_departs_once() {
        let mut berg = local(2, "Berg");
        berg.missing_since = Some("2026-11-18".into());
        let mut gone = local(3, "Gone");
        gone.missing_since = Some("2026-10-01".into());
        gone.departed = true;
        let plan = run(vec![remote("a", "Ames")], vec![("a", local(1, "Ames")), ("b", berg), ("g", gone)], &settings());
        assert_eq!(plan.counts.departing, 1, "7 days missing: departs; already departed: nothing more");
        assert!(matches!(plan.employees[0].action, Action::Depart { employee_id: 2, .. }));
    }

    #[test]
    fn the_mass_change_guard_counts_departures_against_the_sources_size() {
        let ids: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
        let people: Vec<(&str, LocalEmployee)> =
            ids.iter().enumerate().map(|(i, id)| (id.as_str(), local(i as i64, &format!("N{i}")))).collect();
        let feed: Vec<RemoteEmployee> = (0..18).map(|i| remote(&format!("p{i}"), &format!("N{i}"))).collect();
        let plan = run(feed, people, &settings());
        assert_eq!(plan.disruptive(), 2);
        assert!(!plan.needs_approval(10), "2 of 20 is 10%: not more than the threshold");
        assert!(plan.needs_approval(9), "but more than 9%");
    }

    #[test]
    fn every_failed_filter_gives_its_own_reason() {
        let mut v = values("Ames");
        v.set(Field::LegalEntity, Some("le1".into()));
        v.set(Field::EmploymentType, Some("CONTRACT".into()));
        let filters = Filters {
            legal_entities: ["le2".to_owned()].into(),
            employment_types: ["FULL_TIME".to_owned()].into(),
            teams: Default::default(),
        };
        let names = OrgNames { legal_entities: [("le1".to_owned(), "Acme GmbH".to_owned())].into(), ..OrgNames::default() };
        assert_eq!(
            exclusion_reasons(&v, &filters, &names),
            vec![
                "legal entity \"Acme GmbH\" is not among the selected legal entities".to_owned(),
                "employment type CONTRACT is not among the selected employment types".to_owned()
            ]
        );
    }
}
