//! The sync engine's rules, each a test named after it, against real SQLite files and the Kombo
//! simulator over HTTP.

mod bad_input;
mod checklists;
#[path = "../support/data_dir.rs"]
mod data_dir;
mod device_rules;
mod diagnosis;
mod harness;
mod live;
mod minimisation;
mod notices;
mod overview;
mod postgres;
mod privacy;
mod reservations;
mod rules;
mod scope;
mod settings_audit;
mod stopping;
#[path = "../support/stored_rows.rs"]
mod stored_rows;
mod team_audit;
mod team_roles;
mod team_schedule;
mod tls;
mod transport;
