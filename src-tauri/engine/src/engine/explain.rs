//! "Why is this person missing?", answered from the directory and from what each source last returned.

use chrono::{DateTime, Utc};

use super::diagnosis;
use super::people::Explanation;
use super::Engine;
use crate::error::Result;
use crate::model::View;
use crate::providers::{missing_permission_warning, Unseen};
use crate::store::employee_links::{self, Standing};
use crate::store::employees::{self, Match};
use crate::store::fetched_people::{self, Counts, Unlinked};
use crate::store::sources::Source;

impl Engine {
    pub fn explain(&self, query: &str, now: DateTime<Utc>) -> Result<Explanation> {
        let conn = self.store.conn();
        let pattern = format!("%{}%", query.trim().to_lowercase());
        let mut findings = Vec::new();

        let people = employees::matching(conn, &pattern)?;
        for Match { id, name, work_email: email, hidden, start_date: start, end_date: end } in &people {
            let who = format!("{name} ({})", email.as_deref().unwrap_or("no work email"));
            let views = employees::views_of(conn, *id, now)?;
            let lists: Vec<&str> = views.iter().map(view_name).collect();
            if views.contains(&View::Departed) {
                findings.push(format!(
                    "{who} has left (end date {}): Departed people are kept for history only",
                    end.as_deref().unwrap_or("unknown")
                ));
            } else if !lists.is_empty() {
                findings.push(format!("{who} is already present in {}", lists.join(" and ")));
            }
            for difference in diagnosis::hr_differences(conn, *id)? {
                findings.push(format!("{who}: {}", difference.describe()));
            }
            if *hidden {
                findings.push(format!("{who} is hidden: hidden people appear only when hidden ones are included"));
            }
            if start.is_none() && views.contains(&View::Onboardings) {
                findings.push(format!("{who} has no start date: confirm that a start date is set in the HR system"));
            }
            for Standing { source, missing_since: missing, out_of_scope } in employee_links::standings(conn, *id)? {
                if let Some(since) = missing {
                    findings.push(format!("{who} is missing from {source}'s feed since {since}"));
                }
                if let Some(reason) = out_of_scope {
                    findings.push(format!("{who} is out of scope in {source}: excluded: {reason}"));
                }
            }
        }

        let mut found_in_feed = false;
        for Unlinked { source, name, work_email: email, excluded, start_date: start, employment_status: status } in
            fetched_people::unlinked_matching(conn, &pattern)?
        {
            found_in_feed = true;
            let who = format!("{name} ({})", email.as_deref().unwrap_or("no work email"));
            match excluded {
                Some(reason) => findings.push(format!(
                    "{who} was returned by {source} but is excluded: {reason}; update the filters to include them"
                )),
                None => {
                    findings.push(format!("{who} was returned by {source} and is included: they will appear after the next sync"))
                }
            }
            if start.is_none() && status.as_deref() == Some("PENDING") {
                findings.push(format!("{who} has no start date in {source}: confirm that a start date is set in the HR system"));
            }
        }

        if people.is_empty() && !found_in_feed {
            findings.push(format!(
                "no one matching \"{}\" was returned by the HR system in the last full read; check that the person exists there",
                query.trim()
            ));
        }
        for source in self.sources()? {
            findings.extend(self.missing_permission(&source)?);
        }
        Ok(Explanation { query: query.trim().to_owned(), findings })
    }
}

impl Engine {
    /// The warnings for a source whose last full read returned no future starter, or no departed
    /// employee, at all (excluded people count: the filters are not the key's permissions): the API key most likely lacks the permission to see them (Lucca's case).
    /// Each is detected on its own, for every provider.
    pub(super) fn missing_permission(&self, source: &Source) -> Result<Vec<String>> {
        let Some(Counts { people: total, future, departed }) = fetched_people::counts(self.store.conn(), source.id)? else {
            return Ok(Vec::new());
        };
        let tool = source.config.get("tool").and_then(|t| t.as_str());
        let unseen = [(future, Unseen::FutureStarters), (departed, Unseen::DepartedPeople)];
        Ok(unseen
            .into_iter()
            .filter(|(seen, _)| total > 0 && *seen == 0)
            .map(|(_, unseen)| missing_permission_warning(&source.name, tool, unseen))
            .collect())
    }
}

fn view_name(view: &View) -> &'static str {
    match view {
        View::Active => "Active",
        View::Onboardings => "Onboardings",
        View::Offboardings => "Offboardings",
        View::Departed => "Departed",
        View::All => "All",
    }
}
