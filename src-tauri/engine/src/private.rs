//! Private files: the data directory is the user's alone (0700) and every file Roster writes in
//! it is 0600, whatever the umask. On Windows the directory inherits the ACL of the user's
//! profile folder, which other users cannot read, so nothing more is done there.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// The mode of the data directory and of every folder in it (Unix).
pub const DIR_MODE: u32 = 0o700;
/// The mode of every file in the data directory (Unix).
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) if needed; a directory found with looser modes is tightened,
/// and the change logged, so a directory made by an older Roster stops being world-readable.
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != DIR_MODE {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))?;
            tracing::warn!(dir = %dir.display(), from = format!("{mode:o}"), to = format!("{DIR_MODE:o}"), "tightened the data directory's permissions");
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Makes an existing file 0600 if it is looser (a database or WAL from an older Roster), logging
/// the change; a file that does not exist is left alone.
pub fn tighten_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode() & 0o777,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if mode != FILE_MODE {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))?;
            tracing::warn!(file = %path.display(), from = format!("{mode:o}"), to = format!("{FILE_MODE:o}"), "tightened a data file's permissions");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens `path` for writing, creating it 0600 (the umask can only remove bits, never add them).
pub fn create_file(path: &Path, truncate: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    let file = options.open(path)?;
    tighten_file(path)?;
    Ok(file)
}
