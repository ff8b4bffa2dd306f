//! Every file the tool reads or writes goes through here.
//!
//! Reads take regular files only, and only up to a bound: a FIFO at a settings path would block
//! `open` forever, and `/dev/zero` as `AWS_CONFIG_FILE` would grow a buffer until the OOM killer
//! came. Writes replace a regular file atomically (a temporary sibling renamed over it, mode and
//! owner kept), follow a symlink to its target, and write straight into a terminal, device, FIFO
//! or socket instead of renaming something over it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// Settings, AWS config and credentials files, CA bundles: far above any real one.
pub(crate) const MAX_CONFIG_FILE: u64 = 8 << 20;
/// Token and cache files (SSO cache, web-identity token, container token).
pub(crate) const MAX_TOKEN_FILE: u64 = 1 << 20;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    #[error("does not exist")]
    NotFound,
    /// A symlink whose target does not exist.
    #[error("is a symbolic link to {}, which does not exist", target.display())]
    DanglingSymlink { target: PathBuf },
    /// A directory, FIFO, device or socket: never read, it could block or never end.
    #[error("is {kind}, not a regular file")]
    NotRegular { kind: &'static str },
    #[error("is larger than {} MiB", limit >> 20)]
    TooLarge { limit: u64 },
    #[error("cannot be read: {0}")]
    Io(io::Error),
}

/// The whole content of the regular file at `path` (symlinks followed), at most `limit` bytes.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = match open_for_reading(path) {
        Ok(file) => file,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Err(match dangling_target(path) {
                Some(target) => ReadError::DanglingSymlink { target },
                None => ReadError::NotFound,
            });
        }
        Err(err) => return Err(ReadError::Io(err)),
    };
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: kind_of(&meta.file_type()),
        });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Like [`read_regular`], with a missing file as `None`.
pub(crate) fn read_optional(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match read_regular(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(ReadError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever. It changes
// nothing for a regular file, and anything else is refused after the fstat.
#[cfg(unix)]
fn open_for_reading(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn dangling_target(path: &Path) -> Option<PathBuf> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    resolve_symlinks(path).ok()
}

/// "a FIFO (named pipe)", "a directory", …: what a path is when it is not a regular file.
pub(crate) fn kind_of(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Follows symlinks one link at a time, so that a dangling one still names the file it points to.
pub(crate) fn resolve_symlinks(target: &Path) -> io::Result<PathBuf> {
    let mut path = target.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(fs::canonicalize(&path).unwrap_or(path)),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(path),
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into())
}

/// Permission bits (`0o644`); 0o644 where the platform has none.
#[cfg(unix)]
pub(crate) fn file_mode(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
pub fn file_mode(_meta: &fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
pub(crate) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// No write bit for the owner. Checked explicitly because a rename replaces a read-only file
/// anyway (and root ignores permissions): a file made read-only is a decision to respect.
#[cfg(unix)]
pub(crate) fn is_read_only(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o200 == 0
}

#[cfg(not(unix))]
pub fn is_read_only(meta: &fs::Metadata) -> bool {
    meta.permissions().readonly()
}

/// Writes a temporary file beside `path`, syncs it and renames it over `path`: a reader sees the
/// old file or the new one, never a torn one. `old` is the replaced file's metadata, whose owner
/// is kept.
pub(crate) fn replace_atomically(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    old: Option<&fs::Metadata>,
) -> Result<(), ReplaceError> {
    let dir = parent_dir(path);
    let prefix = format!(".{}.", file_name(path));
    // Dropping the temporary file on any error below deletes it.
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| ReplaceError::CreateTemp {
            dir: dir.to_path_buf(),
            source,
        })?;
    keep_owner(tmp.as_file(), old);
    tmp.write_all(bytes)
        .and_then(|()| set_mode(tmp.as_file(), mode))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|source| ReplaceError::Write {
            path: tmp.path().to_path_buf(),
            source,
        })?;
    tmp.persist(path).map_err(|err| ReplaceError::Rename {
        path: path.to_path_buf(),
        source: err.error,
    })?;
    sync_dir(dir);
    Ok(())
}

/// Where an atomic replace failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReplaceError {
    #[error("cannot create a temporary file in {}: {source}", dir.display())]
    CreateTemp { dir: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot replace {}: {source}", path.display())]
    Rename { path: PathBuf, source: io::Error },
}

impl ReplaceError {
    pub(crate) fn io(&self) -> &io::Error {
        match self {
            ReplaceError::CreateTemp { source, .. }
            | ReplaceError::Write { source, .. }
            | ReplaceError::Rename { source, .. } => source,
        }
    }
}

/// Keeps the owner when run with more rights than the owner (`sudo`); failing is harmless.
#[cfg(unix)]
fn keep_owner(file: &File, old: Option<&fs::Metadata>) {
    use std::os::unix::fs::MetadataExt;
    if let Some(old) = old
        && let Ok(new) = file.metadata()
        && (new.uid(), new.gid()) != (old.uid(), old.gid())
    {
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _old: Option<&fs::Metadata>) {}

/// Makes a rename durable. The new file is already in place, and some file systems cannot sync
/// a directory, so a failure here is not reported.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// How a document reached its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// A regular file was created or atomically replaced; `link_target` is the file written when
    /// the path was a symlink (the link itself stays).
    File { link_target: Option<PathBuf> },
    /// Written straight into a terminal, device, FIFO or socket.
    Stream(&'static str),
}

/// Why `--output` did not write.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    #[error("{} is read-only; it was left as it is", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{} is {kind}; a report cannot be written there", path.display())]
    Unsupported { path: PathBuf, kind: &'static str },
    #[error("{} is a FIFO that no process is reading; nothing was written", path.display())]
    NoReader { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Replace(#[from] ReplaceError),
}

/// Writes a finished document to `path`, whatever is there: a regular file is replaced
/// atomically with its mode kept (a new one is 0644); a symlink's target is written and the
/// link stays; a character device, FIFO or socket is written to directly (`/dev/null` stays a
/// device); a read-only file, a directory or a block device is refused and left alone.
pub(crate) fn write_document(path: &Path, bytes: &[u8]) -> Result<Written, OutputError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    let real = resolve_symlinks(path).map_err(io_err(path))?;
    let link_target = fs::symlink_metadata(path)
        .is_ok_and(|meta| meta.file_type().is_symlink())
        .then(|| real.clone());
    let meta = match fs::metadata(&real) {
        Ok(meta) => Some(meta),
        Err(err) if err.kind() == ErrorKind::NotFound => None,
        Err(err) => return Err(io_err(&real)(err)),
    };
    let Some(meta) = meta else {
        replace_atomically(&real, bytes, 0o644, None)?;
        return Ok(Written::File { link_target });
    };
    let file_type = meta.file_type();
    if file_type.is_file() {
        if is_read_only(&meta) {
            return Err(OutputError::ReadOnly { path: real });
        }
        replace_atomically(&real, bytes, file_mode(&meta), Some(&meta))?;
        return Ok(Written::File { link_target });
    }
    write_stream(&real, &file_type, bytes)
}

#[cfg(unix)]
fn write_stream(
    path: &Path,
    file_type: &fs::FileType,
    bytes: &[u8],
) -> Result<Written, OutputError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let io_err = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let kind = kind_of(file_type);
    if file_type.is_socket() {
        let mut stream = std::os::unix::net::UnixStream::connect(path).map_err(io_err)?;
        stream.write_all(bytes).map_err(io_err)?;
        return Ok(Written::Stream(kind));
    }
    if !(file_type.is_fifo() || file_type.is_char_device()) {
        return Err(OutputError::Unsupported {
            path: path.to_path_buf(),
            kind,
        });
    }
    // Non-blocking open: a FIFO nobody reads fails at once (ENXIO) instead of waiting forever.
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(err) if err.raw_os_error() == Some(libc::ENXIO) && file_type.is_fifo() => {
            return Err(OutputError::NoReader {
                path: path.to_path_buf(),
            });
        }
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            return Err(OutputError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        Err(err) => return Err(io_err(err)),
    };
    set_blocking(&file).map_err(io_err)?;
    file.write_all(bytes).map_err(io_err)?;
    file.flush().map_err(io_err)?;
    Ok(Written::Stream(kind))
}

#[cfg(not(unix))]
fn write_stream(
    path: &Path,
    file_type: &fs::FileType,
    _bytes: &[u8],
) -> Result<Written, OutputError> {
    Err(OutputError::Unsupported {
        path: path.to_path_buf(),
        kind: kind_of(file_type),
    })
}

#[cfg(unix)]
fn set_blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A temporary directory only its owner can enter (0700): it may hold copies of settings with a
/// bearer key in them.
pub(crate) fn private_tempdir(prefix: &str) -> io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

/// Creates `path` (which must not exist) readable by its owner only (0600), and writes `bytes`.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates `dir` and its missing parents, each new one 0700.
/// Whether `path` (not followed if it is a link) belongs to this user and no one else may write
/// to it: what a cache must be before it is trusted.
pub(crate) fn owned_privately(path: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(path).map_err(|err| err.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.file_type().is_symlink() {
            return Err("it is a symbolic link".into());
        }
        let me = rustix::process::geteuid().as_raw();
        if meta.uid() != me {
            return Err(format!("it belongs to uid {}, not to you", meta.uid()));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(format!(
                "others may write to it (mode {:o})",
                meta.mode() & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

pub(crate) fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("settings.json");
        mkfifo(&fifo);
        let err = read_regular(&fifo, MAX_CONFIG_FILE).unwrap_err();
        assert!(
            matches!(err, ReadError::NotRegular { kind } if kind.contains("FIFO")),
            "{err}"
        );
    }

    #[test]
    fn an_endless_device_is_refused_and_a_large_file_is_bounded() {
        let err = read_regular(Path::new("/dev/zero"), MAX_CONFIG_FILE).unwrap_err();
        assert!(matches!(err, ReadError::NotRegular { .. }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        fs::write(&big, vec![b' '; 2048]).unwrap();
        assert!(matches!(
            read_regular(&big, 1024),
            Err(ReadError::TooLarge { limit: 1024 })
        ));
        assert_eq!(read_regular(&big, 2048).unwrap().len(), 2048);
    }

    #[test]
    fn a_dangling_symlink_names_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("settings.json");
        symlink(dir.path().join("elsewhere/real.json"), &link).unwrap();
        match read_regular(&link, MAX_CONFIG_FILE) {
            Err(ReadError::DanglingSymlink { target }) => {
                assert!(target.ends_with("elsewhere/real.json"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_regular(&dir.path().join("none"), 10).unwrap_err(),
            ReadError::NotFound
        ));
    }

    #[test]
    fn documents_replace_files_keep_modes_and_links_and_refuse_read_only_ones() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.json");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            write_document(&file, b"new").unwrap(),
            Written::File { link_target: None }
        );
        assert_eq!(fs::read(&file).unwrap(), b"new");
        assert_eq!(file_mode(&fs::metadata(&file).unwrap()), 0o640);

        let link = dir.path().join("link.json");
        symlink(&file, &link).unwrap();
        assert!(matches!(
            write_document(&link, b"through the link").unwrap(),
            Written::File {
                link_target: Some(_)
            }
        ));
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&file).unwrap(), b"through the link");

        fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
        assert!(matches!(
            write_document(&file, b"x"),
            Err(OutputError::ReadOnly { .. })
        ));
        assert_eq!(fs::read(&file).unwrap(), b"through the link");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temp file left"
        );
    }

    #[test]
    fn devices_are_written_to_not_replaced() {
        assert_eq!(
            write_document(Path::new("/dev/null"), b"report").unwrap(),
            Written::Stream("a character device")
        );
        let meta = fs::metadata("/dev/null").unwrap();
        assert_eq!(kind_of(&meta.file_type()), "a character device");
    }

    #[test]
    fn a_fifo_without_reader_is_an_error_and_with_one_gets_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out");
        mkfifo(&fifo);
        assert!(matches!(
            write_document(&fifo, b"x"),
            Err(OutputError::NoReader { .. })
        ));
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        // The reader may not have opened yet: retry until it has.
        let mut written = write_document(&fifo, b"report");
        for _ in 0..200 {
            if written.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            written = write_document(&fifo, b"report");
        }
        assert_eq!(written.unwrap(), Written::Stream("a FIFO (named pipe)"));
        assert_eq!(reader.join().unwrap(), b"report");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn private_temporaries_are_owner_only() {
        let dir = private_tempdir("claude-bedrock-test-").unwrap();
        assert_eq!(file_mode(&fs::metadata(dir.path()).unwrap()), 0o700);
        let file = dir.path().join("settings.json");
        write_private(&file, b"{}").unwrap();
        assert_eq!(file_mode(&fs::metadata(&file).unwrap()), 0o600);
    }
}
