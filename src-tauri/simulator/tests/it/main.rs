//! Integration tests of the simulator over real HTTP on 127.0.0.1: one test
//! binary, one module per area.

mod auth;
mod binary;
mod changes;
mod common;
mod connect;
mod faults;
mod generation;
mod pagination;
mod permissions;
mod schema;
