//! What Roster tells the admin on the desktop, each as one notification however many people or
//! steps it is about: the morning's checklist steps, and the starters of the coming week who hold
//! no device yet.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

use super::Engine;
use crate::error::Result;
use crate::store::checklists::{self, ChecklistQuery, ChecklistStep};
use crate::store::{employees, settings};

/// The morning reminder comes at the first check after this local hour.
const MORNING_HOUR: u32 = 8;
/// The next local time a notice may fall due with nothing else changing: the morning reminder's
/// hour, or midnight (a new day brings starters within the week). Between them a scheduler need
/// not ask the directory.
pub fn next_notice_check(local: NaiveDateTime) -> NaiveDateTime {
    let today = local.date();
    let morning = today.and_hms_opt(MORNING_HOUR, 0, 0).expect("a valid hour");
    if local < morning {
        morning
    } else {
        (today + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight")
    }
}

/// Lines a notification names before it only counts the rest.
const NAMED: usize = 5;
/// Starters without a device are announced this many days before their first day.
const DEVICE_NOTICE_DAYS: i64 = 7;

/// A desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

impl Engine {
    /// One notification for every step due today or overdue, once each morning (if on), for a
    /// role that ticks them.
    pub fn checklist_reminder(&mut self, local: NaiveDateTime, now: DateTime<Utc>) -> Result<Option<Notice>> {
        if !self.may(super::Action::ChangeChecklists) {
            // Reminders go to those who tick the steps, who also record the day they went out.
            return Ok(None);
        }
        let conn = self.store.conn();
        let today = local.date();
        let morning = local.hour() >= MORNING_HOUR;
        if !morning || !settings::load(conn)?.checklist_reminders || checklists::reminded_on(conn)? == Some(today) {
            return Ok(None);
        }
        let steps: Vec<ChecklistStep> =
            checklists::list(conn, &ChecklistQuery::default(), now)?.into_iter().filter(|s| s.overdue || s.due_today).collect();
        checklists::set_reminded_on(conn, today)?;
        if steps.is_empty() {
            return Ok(None);
        }
        let overdue = steps.iter().filter(|s| s.overdue).count();
        let count = |n: usize| if n == 1 { "1 checklist step".to_owned() } else { format!("{n} checklist steps") };
        let title = match overdue {
            0 => format!("{} due today", count(steps.len())),
            n if n == steps.len() => format!("{} overdue", count(n)),
            n => format!("{} due today or overdue ({n} overdue)", count(steps.len())),
        };
        let lines = steps.iter().map(|s| format!("{}: {}{}", s.person, s.title, if s.overdue { " (overdue)" } else { "" }));
        Ok(Some(Notice { title, body: named(lines, steps.len()) }))
    }

    /// One notification for the starters within [`DEVICE_NOTICE_DAYS`] of `today` who hold no
    /// device and are not in `announced`, which then holds them: each is announced once per run
    /// of Roster, not every minute.
    pub fn starters_without_device(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
        announced: &mut HashSet<i64>,
    ) -> Result<Option<Notice>> {
        let by = today + Duration::days(DEVICE_NOTICE_DAYS);
        let starters: Vec<_> = employees::starters_without_device(self.store.conn(), by, now)?
            .into_iter()
            .filter(|s| announced.insert(s.employee_id))
            .collect();
        let notice = match starters.as_slice() {
            [] => None,
            [one] => Some(Notice {
                title: format!("{} starts on {} and has no device yet", one.name, one.start_date),
                body: "Assign a device in Roster › Devices before their first day.".to_owned(),
            }),
            all => Some(Notice {
                title: format!("{} people start by {by} and have no device yet", all.len()),
                body: named(all.iter().map(|s| format!("{}: starts {}", s.name, s.start_date)), all.len()),
            }),
        };
        Ok(notice)
    }
}

/// The first [`NAMED`] of `total` lines, and a count of the rest.
fn named(lines: impl Iterator<Item = String>, total: usize) -> String {
    let mut named: Vec<String> = lines.take(NAMED).collect();
    if total > NAMED {
        named.push(format!("and {} more in Roster", total - NAMED));
    }
    named.join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn the_next_notice_check_is_the_mornings_hour_or_else_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let at = |date: NaiveDate, h, m| date.and_hms_opt(h, m, 0).unwrap();
        let next_day = day.succ_opt().unwrap();
        assert_eq!(next_notice_check(at(day, 0, 0)), at(day, 8, 0));
        assert_eq!(next_notice_check(at(day, 7, 59)), at(day, 8, 0));
        assert_eq!(next_notice_check(at(day, 8, 0)), at(next_day, 0, 0), "the reminder's round came: midnight next");
        assert_eq!(next_notice_check(at(day, 23, 59)), at(next_day, 0, 0));
    }
}
