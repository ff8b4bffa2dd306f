//! The lock that keeps two setups from writing one file at once.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{WriteError, io_error, write_error};
use crate::fsio::{file_name, parent_dir};

/// The sidecar lock file guarding `real_path` (`.settings.json.lock` beside it).
pub fn lock_path(real_path: &Path) -> PathBuf {
    let name = file_name(real_path);
    parent_dir(real_path).join(format!(".{name}.lock"))
}

/// An advisory lock on the sidecar `.NAME.lock`, removed when released.
pub(super) struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    pub(super) fn acquire(real_path: &Path, timeout: Duration) -> Result<Lock, WriteError> {
        let path = lock_path(real_path);
        let deadline = Instant::now() + timeout;
        loop {
            let mut options = OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let file = options
                .open(&path)
                .map_err(write_error(parent_dir(&path), "create the lock file in"))?;
            match file.try_lock() {
                // The previous holder deletes the lock file on release; a lock on the deleted
                // file excludes nobody, so it is taken again on the current one.
                Ok(()) if Self::is_current(&file, &path) => return Ok(Lock { file, path }),
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(source)) => {
                    return Err(io_error(&path, "lock")(source));
                }
            }
            if Instant::now() >= deadline {
                return Err(WriteError::Locked {
                    path: real_path.to_path_buf(),
                    lock: path,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[cfg(unix)]
    fn is_current(file: &File, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(held), Ok(named)) => (held.dev(), held.ino()) == (named.dev(), named.ino()),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_current(_file: &File, _path: &Path) -> bool {
        true
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a waiter can tell its lock file went stale (see acquire).
        #[cfg(unix)]
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}
