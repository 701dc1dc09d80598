//! Every connector through `Engine`, against real peers: CSV files, the `scim2-server` SCIM
//! service provider (PyPI) and the `oidc-provider` OAuth server (npm), with real SQLite files and
//! the real OS keyring.
//!
//! Run locally: `keyctl session - bash -c 'ROSTER_KEYRING=keyutils cargo test -p roster-engine --test connectors'`
//! after `.ci/setup` (or `python3 -m venv tests/peers/.venv && tests/peers/.venv/bin/pip install -r
//! tests/peers/requirements.txt` and `npm ci --prefix tests/peers`).

mod csv_import;
mod oauth;
mod oauth_listener;
mod peers;
mod scim;
#[path = "../support/stored_rows.rs"]
mod stored_rows;
