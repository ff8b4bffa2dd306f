//! Where a finished document goes: stdout, or `--output FILE`. A file is written to a temporary
//! sibling and renamed into place, so a reader (a CI step, a dashboard) never sees half a report.

use std::io::Write;
use std::path::Path;

use crate::FatalError;
use crate::cli::Format;
use crate::output::print_stdout;

/// Prints `text`, or writes it to `file` and says so in one line on stderr (stdout stays empty).
pub fn emit(text: &str, file: Option<&Path>, format: Format) -> Result<(), FatalError> {
    let Some(file) = file else {
        print_stdout(text);
        return Ok(());
    };
    write_atomically(file, text).map_err(|err| {
        FatalError::new(
            format!("cannot write {}: {err}", file.display()),
            Some("Choose a writable path for --output, or leave it out to print to stdout."),
        )
    })?;
    let kind = match format {
        Format::Human => "report",
        Format::Json => "JSON document",
        Format::Markdown => "Markdown report",
        Format::Junit => "JUnit XML report",
    };
    eprintln!("wrote the {kind} to {}", file.display());
    Ok(())
}

fn write_atomically(file: &Path, text: &str) -> std::io::Result<()> {
    let dir = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".claude-bedrock-")
        .tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        temp.write_all(b"\n")?;
    }
    temp.as_file().sync_all()?;
    // A temp file is created 0600; a report is no more private than any other file the user writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.persist(file).map_err(|err| err.error)?;
    Ok(())
}

/// Markdown and JUnit are report formats: only `doctor` produces a report.
pub fn require_report_format(format: Format, command: &str) -> Result<(), FatalError> {
    let name = match format {
        Format::Markdown => "markdown",
        Format::Junit => "junit",
        Format::Human | Format::Json => return Ok(()),
    };
    Err(FatalError::new(
        format!("--format {name} applies to `doctor` only, not to `{command}`"),
        Some("Use --format human or --format json (or --json) here."),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_whole_document_and_replaces_an_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.md");
        std::fs::write(&file, "old").unwrap();
        write_atomically(&file, "new report").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new report\n");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(
            leftovers, 1,
            "the temporary file was renamed, not left behind"
        );
    }

    #[test]
    fn report_formats_are_refused_elsewhere() {
        assert!(require_report_format(Format::Json, "config").is_ok());
        let err = require_report_format(Format::Junit, "models").unwrap_err();
        assert!(err.message.contains("doctor"), "{}", err.message);
    }
}
