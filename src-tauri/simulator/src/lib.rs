//! A faithful local stand-in for Kombo's unified HRIS read API, served over
//! real HTTP on 127.0.0.1: a deterministic generated company, Kombo's
//! envelopes, pagination and errors, scripted changes and injectable faults.
//! Used by the app's demo mode, by integration tests and by benchmarks.

mod api_error;
mod change;
mod company;
mod config;
mod connect;
mod fault;
mod gate;
mod generate;
mod ids;
mod listing;
mod names;
mod records;
mod request_log;
mod routes;
mod simulator;
mod state;
mod timestamp;

pub use change::{Change, ChangeError, EditableField, NewHire};
pub use company::{Company, CompanySpec};
pub use config::{random_api_key, SimulatorConfig};
pub use fault::{Fault, Model};
pub use generate::EMAIL_DOMAIN;
pub use listing::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use records::{
    Address, BankAccount, DomesticBankRouting, Employee, Employment, EmploymentStatus, EmploymentType, Group, GroupRef,
    GroupType, LegalEntity, LegalEntityRef, Location, ManagerRef,
};
pub use request_log::RecordedRequest;
pub use simulator::{HeldRequests, Simulator};
