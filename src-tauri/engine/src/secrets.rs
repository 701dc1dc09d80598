//! Secrets (API keys, tokens) in the OS keyring, and nowhere else.
//!
//! The platform's native store is used: macOS Keychain, Windows Credential Manager, and on Linux the
//! Secret Service (GNOME Keyring, KWallet, KeePassXC). `ROSTER_KEYRING=keyutils` selects the Linux
//! kernel keyring instead, for headless machines without a Secret Service.

use std::sync::Once;

/// The keyring service name under which every Roster secret is filed.
const SERVICE: &str = "dev.roster.app";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the OS keyring is locked or unavailable ({detail}); unlock it (on Linux: start and unlock GNOME Keyring or another Secret Service) and try again")]
    Unavailable { detail: String },
    #[error("no secret is stored for {account}; reconnect the source to enter it again")]
    Missing { account: String },
    #[error("the OS keyring refused the secret for {account}: {detail}")]
    Rejected { account: String, detail: String },
}

/// Where the secrets of one Roster database live. Accounts are namespaced by the database's
/// installation id, so two data directories on one machine never share a secret.
#[derive(Debug, Clone)]
pub struct Secrets {
    namespace: String,
}

impl Secrets {
    pub fn new(installation_id: &str) -> Secrets {
        select_backend();
        Secrets { namespace: installation_id.to_owned() }
    }

    pub fn store(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        let entry = self.entry(account)?;
        entry.set_password(secret).map_err(|e| self.map(account, e))
    }

    pub fn load(&self, account: &str) -> Result<String, SecretError> {
        let entry = self.entry(account)?;
        entry.get_password().map_err(|e| self.map(account, e))
    }

    /// Deletes a secret; deleting one that is not there is not an error.
    pub fn delete(&self, account: &str) -> Result<(), SecretError> {
        let entry = self.entry(account)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.map(account, e)),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(SERVICE, &format!("{}/{account}", self.namespace)).map_err(|e| self.map(account, e))
    }

    /// keyring's errors never carry the secret itself, only what went wrong.
    fn map(&self, account: &str, error: keyring::Error) -> SecretError {
        match error {
            keyring::Error::NoEntry => SecretError::Missing { account: account.to_owned() },
            keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
                SecretError::Unavailable { detail: e.to_string() }
            }
            other => SecretError::Rejected { account: account.to_owned(), detail: other.to_string() },
        }
    }
}

/// Chooses the keyring backend once per process.
fn select_backend() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        {
            let builder = match std::env::var("ROSTER_KEYRING").as_deref() {
                Ok("keyutils") => keyring::keyutils::default_credential_builder(),
                _ => keyring::secret_service::default_credential_builder(),
            };
            keyring::set_default_credential_builder(builder);
        }
    });
}
