//! Backups of the file being replaced, beside it; only the newest few are kept.

use std::fs::{self, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::{WriteError, io_error, write_error};
use crate::fsio::{self, file_name, parent_dir};

/// How many backups of one file are kept; older ones are removed after a new one is made.
pub const KEEP_BACKUPS: usize = 5;

/// Copies the original beside it as `NAME.bak`, or `NAME.bak.N` if taken; never overwrites.
/// Only the [`KEEP_BACKUPS`] newest backups stay.
pub(super) fn write_backup(path: &Path, original: &[u8], mode: u32) -> Result<PathBuf, WriteError> {
    let dir = parent_dir(path);
    let name = file_name(path);
    for n in 0..10_000 {
        let candidate = match n {
            0 => dir.join(format!("{name}.bak")),
            n => dir.join(format!("{name}.bak.{n}")),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Not readable by others even for a moment: the original may hold a secret.
            options.mode(0o600);
        }
        let mut file = match options.open(&candidate) {
            Ok(file) => file,
            Err(err) if err.kind() == ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(write_error(dir, "create a backup in")(source)),
        };
        let written = file
            .write_all(original)
            .and_then(|()| fsio::set_mode(&file, mode))
            .and_then(|()| file.sync_all());
        if let Err(source) = written {
            let _ = fs::remove_file(&candidate);
            return Err(io_error(&candidate, "write the backup")(source));
        }
        prune_backups(dir, &name, &candidate);
        return Ok(candidate);
    }
    Err(io_error(dir, "find a free backup name in")(
        io::Error::other("too many backups"),
    ))
}

/// Removes all but the newest [`KEEP_BACKUPS`] `NAME.bak` / `NAME.bak.N` files (never `keep`,
/// the one just made). Failing to remove one is harmless.
fn prune_backups(dir: &Path, name: &str, keep: &Path) {
    let stem = format!("{name}.bak");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut backups: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|entry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            file == stem
                || file
                    .strip_prefix(&format!("{stem}."))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.path()))
        })
        .collect();
    // Newest first; the one just written always counts as the newest.
    backups.sort_by(|a, b| (b.1 == keep).cmp(&(a.1 == keep)).then(b.0.cmp(&a.0)));
    for (_, old) in backups.into_iter().skip(KEEP_BACKUPS) {
        let _ = fs::remove_file(old);
    }
}
