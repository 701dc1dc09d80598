//! Secrets in the real OS keyring backend this process is given: the Secret Service (GNOME
//! Keyring on a private D-Bus session in CI) or, with ROSTER_KEYRING=keyutils, the kernel keyring.

use roster_engine::secrets::{SecretError, Secrets};

fn unique(name: &str) -> String {
    format!("test-{name}-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap())
}

#[test]
fn a_secret_round_trips_through_the_os_keyring_and_is_deleted() {
    let secrets = Secrets::new(&unique("round-trip"));
    secrets.store("source-1", "s3cr3t-value").expect("the keyring accepts a secret");
    assert_eq!(secrets.load("source-1").unwrap(), "s3cr3t-value", "the keyring gives the secret back");
    secrets.store("source-1", "rotated").unwrap();
    assert_eq!(secrets.load("source-1").unwrap(), "rotated", "storing again replaces the secret");
    secrets.delete("source-1").unwrap();
    assert!(matches!(secrets.load("source-1"), Err(SecretError::Missing { .. })), "a deleted secret is gone");
    secrets.delete("source-1").expect("deleting twice is not an error");
}

#[test]
fn two_directories_never_share_a_secret() {
    let a = Secrets::new(&unique("a"));
    let b = Secrets::new(&unique("b"));
    a.store("source-1", "key-of-a").unwrap();
    b.store("source-1", "key-of-b").unwrap();
    assert_eq!(a.load("source-1").unwrap(), "key-of-a", "each database's secrets are namespaced by its installation id");
    assert_eq!(b.load("source-1").unwrap(), "key-of-b");
    a.delete("source-1").unwrap();
    b.delete("source-1").unwrap();
}

#[test]
fn a_missing_secret_says_how_to_fix_it() {
    let secrets = Secrets::new(&unique("missing"));
    let error = secrets.load("source-9").unwrap_err();
    assert!(error.to_string().contains("reconnect the source"), "the error names the fix: {error}");
}
