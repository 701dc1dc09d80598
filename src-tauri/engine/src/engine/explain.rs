//! "Why is this person missing?", answered from the directory and from what each source last returned.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::diagnosis;
use super::people::Explanation;
use super::Engine;
use crate::error::Result;
use crate::model::View;
use crate::providers::{missing_permission_warning, Unseen};
use crate::store::employees;
use crate::store::sources::Source;

impl Engine {
    pub fn explain(&self, query: &str, now: DateTime<Utc>) -> Result<Explanation> {
        let conn = self.store.conn();
        let pattern = format!("%{}%", query.trim().to_lowercase());
        let mut findings = Vec::new();

        let mut stmt = conn.prepare(
            "SELECT id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), work_email, hidden, start_date, end_date
             FROM employees WHERE lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) LIKE ?1 OR lower(work_email) LIKE ?1
             ORDER BY last_name, first_name LIMIT 20",
        )?;
        type Row = (i64, String, Option<String>, bool, Option<String>, Option<String>);
        let people: Vec<Row> = stmt
            .query_map([&pattern], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, name, email, hidden, start, end) in &people {
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
            let mut links = conn.prepare(
                "SELECT s.name, l.missing_since, l.out_of_scope FROM employee_links l JOIN sources s ON s.id = l.source_id WHERE l.employee_id = ?1",
            )?;
            let rows = links.query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
            })?;
            for row in rows {
                let (source, missing, out_of_scope) = row?;
                if let Some(since) = missing {
                    findings.push(format!("{who} is missing from {source}'s feed since {since}"));
                }
                if let Some(reason) = out_of_scope {
                    findings.push(format!("{who} is out of scope in {source}: excluded: {reason}"));
                }
            }
        }

        let mut stmt = conn.prepare(
            "SELECT s.name, f.name, f.work_email, f.excluded, f.start_date, f.employment_status FROM fetched_people f
             JOIN sources s ON s.id = f.source_id
             WHERE (lower(f.name) LIKE ?1 OR lower(f.work_email) LIKE ?1)
               AND f.remote_id NOT IN (SELECT remote_id FROM employee_links WHERE source_id = f.source_id)
             ORDER BY f.name LIMIT 20",
        )?;
        let fetched = stmt.query_map([&pattern], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut found_in_feed = false;
        for row in fetched {
            let (source, name, email, excluded, start, status) = row?;
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
        let counts = self
            .store
            .conn()
            .query_row("SELECT people, future, departed FROM fetched_counts WHERE source_id = ?1", [source.id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .optional()?;
        let Some((total, future, departed)) = counts else {
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
