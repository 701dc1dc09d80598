//! Encryption at rest: the database is a SQLCipher file whose 256-bit key is generated at first
//! start and kept only in the OS keyring. The keyring account is named by the installation id,
//! kept beside the database (it is not a secret) because it must be known before the file opens.
//! A plain database from an older Roster is encrypted in place at its first open.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rand::RngCore;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::private;
use crate::secrets::{SecretError, Secrets};

/// The file beside the database that names its installation (and so its key in the keyring).
pub const INSTALLATION_FILE: &str = "installation-id";
/// The keyring account, within the installation's namespace, of the database key.
const KEY_ACCOUNT: &str = "database-key";
/// Every plain SQLite file starts with this header; an encrypted one starts with random salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The key of the database in `data_dir`, as the SQLCipher raw-key literal `x'…'` (a raw key
/// skips the key derivation: the key is already random, and every open stays fast).
pub struct DatabaseKey {
    pub installation_id: String,
    literal: String,
}

impl DatabaseKey {
    /// Reads the key of the database at `path`, generating and storing one (and the installation
    /// id) when there is no database yet or it is still plain.
    pub fn for_database(path: &Path) -> Result<DatabaseKey> {
        let data_dir = path.parent().expect("the database file lives in the data directory");
        let id_file = data_dir.join(INSTALLATION_FILE);
        let installation_id = match std::fs::read_to_string(&id_file) {
            Ok(id) if !id.trim().is_empty() => id.trim().to_owned(),
            Ok(_) => {
                return Err(Error::Invalid(format!(
                    "{} is empty; restore it from a backup of the data directory",
                    id_file.display()
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if is_encrypted(path)? {
                    return Err(Error::KeyLost { file: id_file.display().to_string() });
                }
                let id = plain_installation_id(path)?.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let mut file = private::create_file(&id_file, true).map_err(data_dir_error(&id_file))?;
                file.write_all(id.as_bytes()).map_err(data_dir_error(&id_file))?;
                id
            }
            Err(e) => return Err(data_dir_error(&id_file)(e)),
        };
        let secrets = Secrets::new(&installation_id);
        let hex = match secrets.load(KEY_ACCOUNT) {
            Ok(hex) => hex,
            Err(SecretError::Missing { .. }) if !is_encrypted(path)? => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
                secrets.store(KEY_ACCOUNT, &hex)?;
                hex
            }
            Err(SecretError::Missing { .. }) => return Err(Error::KeyLost { file: path.display().to_string() }),
            Err(other) => return Err(other.into()),
        };
        Ok(DatabaseKey { installation_id, literal: format!("x'{hex}'") })
    }

    /// Unlocks a connection: must be the first statement on it.
    pub fn apply(&self, conn: &Connection) -> Result<()> {
        conn.pragma_update(None, "key", &self.literal)?;
        // SQLCipher writes a damaged page's number to standard error itself; the engine's error
        // and `roster directory check` say it instead, with what to do.
        conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Encrypts a plain database in place: its content is exported into an encrypted copy, which
/// then replaces it (the write-ahead log is folded in first, then removed with the old file).
pub fn encrypt_if_plain(path: &Path, key: &DatabaseKey) -> Result<()> {
    if header(path)?.as_ref() != Some(PLAIN_HEADER) {
        return Ok(());
    }
    let encrypted = sibling(path, "encrypting");
    let _ = std::fs::remove_file(&encrypted);
    private::create_file(&encrypted, true).map_err(data_dir_error(&encrypted))?;
    let conn = Connection::open(path)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", rusqlite::params![encrypted.to_string_lossy(), key.literal])?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    conn.pragma_update(Some("encrypted"), "user_version", version)?;
    conn.execute("DETACH DATABASE encrypted", [])?;
    drop(conn);
    std::fs::rename(&encrypted, path).map_err(data_dir_error(path))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", path.display())));
    }
    tracing::info!(database = %path.display(), "encrypted the plain database in place");
    Ok(())
}

/// A connection to the existing database at `path`, unlocked if it is encrypted, taken as it is:
/// neither migrated nor encrypted.
pub fn connect_existing(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    if is_encrypted(path)? {
        DatabaseKey::for_database(path)?.apply(&conn)?;
    }
    Ok(conn)
}

/// Whether `path` holds an encrypted database (not missing, not empty, not plain).
pub fn is_encrypted(path: &Path) -> Result<bool> {
    Ok(header(path)?.is_some_and(|h| &h != PLAIN_HEADER))
}

/// The first 16 bytes of the file, if it exists and has them.
fn header(path: &Path) -> Result<Option<[u8; 16]>> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(data_dir_error(path)(e)),
    };
    let mut header = [0u8; 16];
    match file.read_exact(&mut header) {
        Ok(()) => Ok(Some(header)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(data_dir_error(path)(e)),
    }
}

/// The installation id of a plain database from an older Roster, so its source secrets, already
/// filed under it in the keyring, stay reachable.
fn plain_installation_id(path: &Path) -> Result<Option<String>> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open(path)?;
    let has_meta: bool = conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'meta'", [], |r| r.get(0))?;
    if !has_meta {
        return Ok(None);
    }
    match conn.query_row("SELECT value FROM meta WHERE key = 'installation_id'", [], |r| r.get(0)) {
        Ok(id) => Ok(Some(id)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}.{suffix}", path.display()))
}

fn data_dir_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::DataDir { path: path.display().to_string(), source }
}
