//! One Roster per data directory: a second launch on the same directory hands over to the running
//! one, which comes forward; instances on different directories (a team's shared directory beside
//! a local one, two admins' setups on one test machine) run side by side. The single-instance
//! plugin keys on a session-bus name on Linux (made here from the directory); elsewhere it keys on
//! the app's identifier alone.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The D-Bus id of the instance serving `data_dir` (the plugin appends `.SingleInstance`): the
/// app's identifier and a digest of the directory's absolute path, which fits a bus name's rules
/// (an element of letters and digits, not starting with a digit) whatever the path holds.
pub fn dbus_id(identifier: &str, data_dir: &Path) -> String {
    let dir = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    let hex: String = digest[..8].iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{identifier}.d{hex}")
}

/// The session-bus name the instance serving `data_dir` holds while it runs.
pub fn bus_name(identifier: &str, data_dir: &Path) -> String {
    format!("{}.SingleInstance", dbus_id(identifier, data_dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_directory_has_its_own_valid_bus_name_and_the_same_one_at_each_launch() {
        let first = bus_name("dev.roster.Roster", Path::new("/tmp/admin-a/roster"));
        assert_eq!(first, bus_name("dev.roster.Roster", Path::new("/tmp/admin-a/roster")), "the same directory, the same name");
        assert_ne!(first, bus_name("dev.roster.Roster", Path::new("/tmp/admin-b/roster")), "another directory, another name");
        for element in first.split('.') {
            assert!(
                !element.is_empty()
                    && !element.starts_with(|c: char| c.is_ascii_digit())
                    && element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{element:?} of {first} follows the bus name rules"
            );
        }
        assert!(first.len() <= 255, "a bus name is at most 255 bytes");
    }
}
