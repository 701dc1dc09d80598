//! Live changes of a directory in PostgreSQL: a [`Listener`] on a connection of its own hears what
//! every instance commits (this one's too) as the kinds of data that changed, so a window can
//! refresh what it shows. The triggers that notify are in `migrations_postgres.rs`
//! (version 3 in `migrations_postgres.rs`); a SQLite directory has no other instance to hear.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use postgres::fallible_iterator::FallibleIterator;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::postgres::Target;
use crate::error::Result;

/// The channel the triggers notify; each payload is a [`ChangeKind`].
const CHANNEL: &str = "roster_changes";

/// How long after a first change the listener gathers the ones that follow, so that a burst of
/// commits (a hand-over, then its checklist step) wakes a window once.
pub const SETTLE: Duration = Duration::from_millis(100);

/// The kind of data a committed change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeKind {
    /// People and their fields, links, hides, edits and history.
    People,
    /// Devices, hand-overs and device rules.
    Devices,
    /// Sources, their filters and field modes.
    Sources,
    /// Sync runs and held plans.
    Runs,
    /// Directory-wide settings.
    Settings,
    Checklists,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::People,
        ChangeKind::Devices,
        ChangeKind::Sources,
        ChangeKind::Runs,
        ChangeKind::Settings,
        ChangeKind::Checklists,
    ];

    /// The kind a trigger's payload names (see version 3 in `migrations_postgres.rs`): its serialised name.
    fn from_payload(payload: &str) -> Option<ChangeKind> {
        serde_json::from_value(serde_json::Value::String(payload.to_owned())).ok()
    }
}

/// Listens for the changes committed to one PostgreSQL directory. Idle, it sends nothing to the
/// server (TCP keep-alives aside): it blocks on the socket until a notification arrives. A lost
/// connection is reopened with a growing delay between attempts.
pub struct Listener {
    target: Target,
    client: Option<postgres::Client>,
    /// A connection was lost: what changed until the next one listens went unheard.
    lost: bool,
    /// The delays between attempts to connect, while none succeeds.
    backoff: Option<ExponentialBackoff>,
    next_attempt: Instant,
}

impl Listener {
    /// A listener of `target`, which connects at its first [`Listener::wait`].
    pub fn new(target: Target) -> Listener {
        Listener { target, client: None, lost: false, backoff: None, next_attempt: Instant::now() }
    }

    /// Whether a connection listens now.
    pub fn is_listening(&self) -> bool {
        self.client.as_ref().is_some_and(|client| !client.is_closed())
    }

    /// Waits up to `timeout` for a change, then gathers those committed within [`SETTLE`] of it;
    /// empty when nothing changed in time. Without a connection it connects first (after the
    /// delay since the last failed attempt, waited up to `timeout`), and after a lost one returns
    /// every kind: what changed meanwhile was not heard. An error is a failed attempt to connect.
    pub fn wait(&mut self, timeout: Duration) -> Result<BTreeSet<ChangeKind>> {
        let Some(client) = self.client.as_mut() else { return self.reconnect(timeout) };
        let mut changes = BTreeSet::new();
        let first = client.notifications().timeout_iter(timeout).next();
        match first {
            Ok(Some(notification)) => changes.extend(ChangeKind::from_payload(notification.payload())),
            Ok(None) if !client.is_closed() => return Ok(changes),
            // The server went away (stopped, restarted, or the network): the next wait reconnects.
            Ok(None) | Err(_) => {
                tracing::info!(database = %self.target.url, "the connection listening for changes was lost");
                self.client = None;
                self.lost = true;
                return Ok(changes);
            }
        }
        let settled = Instant::now() + SETTLE;
        loop {
            let left = settled.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(changes);
            }
            // A loss in between is found by the next wait.
            let next = client.notifications().timeout_iter(left).next();
            match next {
                Ok(Some(notification)) => changes.extend(ChangeKind::from_payload(notification.payload())),
                _ => return Ok(changes),
            }
        }
    }

    fn reconnect(&mut self, timeout: Duration) -> Result<BTreeSet<ChangeKind>> {
        let delay = self.next_attempt.saturating_duration_since(Instant::now());
        std::thread::sleep(delay.min(timeout));
        if delay > timeout {
            return Ok(BTreeSet::new());
        }
        match self.listen() {
            Ok(client) => {
                self.client = Some(client);
                self.backoff = None;
                let missed = std::mem::take(&mut self.lost);
                Ok(if missed { ChangeKind::ALL.into() } else { BTreeSet::new() })
            }
            Err(error) => {
                let backoff = self.backoff.get_or_insert_with(|| {
                    ExponentialBuilder::default()
                        .with_min_delay(Duration::from_millis(200))
                        .with_max_delay(Duration::from_secs(5))
                        .with_jitter()
                        .without_max_times()
                        .build()
                });
                self.next_attempt = Instant::now() + backoff.next().unwrap_or(Duration::from_secs(5));
                Err(error)
            }
        }
    }

    fn listen(&self) -> Result<postgres::Client> {
        let mut client = self.target.client()?;
        client.batch_execute(&format!("LISTEN {CHANNEL}")).map_err(|e| self.target.error(e))?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_read_back_from_its_payload_and_nothing_else_is() {
        for (payload, kind) in [
            ("people", ChangeKind::People),
            ("devices", ChangeKind::Devices),
            ("sources", ChangeKind::Sources),
            ("runs", ChangeKind::Runs),
            ("settings", ChangeKind::Settings),
            ("checklists", ChangeKind::Checklists),
        ] {
            assert_eq!(ChangeKind::from_payload(payload), Some(kind), "the triggers' {payload:?} is {kind:?}");
            assert_eq!(serde_json::to_value(kind).unwrap(), payload, "the window is told the word the triggers send");
        }
        assert_eq!(ChangeKind::from_payload("employees"), None, "an unknown payload is no kind");
    }
}
