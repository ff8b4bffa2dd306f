//! Where a finished document goes: stdout, or `--output FILE`. A file is replaced atomically
//! (see [`crate::fsio::write_document`]), so a reader (a CI step, a dashboard) never sees half a
//! report. Every document has its known secrets scrubbed on the way out.

use std::path::Path;

use crate::cli::Format;
use crate::error::FatalError;
use crate::fsio::{self, Written};
use crate::output::{print_stderr, print_stdout};

/// Prints `text`, or writes it to `file` and says so in one line on stderr (stdout stays empty).
pub(crate) fn emit(text: &str, file: Option<&Path>, format: Format) -> Result<(), FatalError> {
    let ascii;
    let text = if format == Format::Human && crate::output::ascii() {
        ascii = crate::output::to_ascii(text);
        ascii.as_str()
    } else {
        text
    };
    emit_as(text, file, kind(format))
}

/// [`emit`] for a text that is not a report (a completion script, a manual page), named `kind`.
pub(crate) fn emit_as(text: &str, file: Option<&Path>, kind: &str) -> Result<(), FatalError> {
    let Some(file) = file else {
        return print_stdout(text).map_err(|err| {
            FatalError::new(
                format!("cannot write to standard output: {err}"),
                Some("Check where standard output goes (a full disk, a closed file), or use --output FILE."),
            )
        });
    };
    let mut text = crate::secret::scrub(text);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let written = fsio::write_document(file, text.as_bytes()).map_err(|err| {
        let problem = match &err {
            fsio::OutputError::Io { source, .. } => {
                format!("cannot write {}: {source}", file.display())
            }
            fsio::OutputError::Replace(replace) => {
                format!("cannot write {}: {}", file.display(), replace.io())
            }
            refused => refused.to_string(),
        };
        FatalError::new(
            format!("{problem}; the {kind} was not written"),
            Some("Choose a writable path for --output, or leave it out to print to stdout."),
        )
    })?;
    match written {
        Written::File { link_target: None } => {
            print_stderr(&format!("wrote the {kind} to {}", file.display()));
        }
        Written::File {
            link_target: Some(path),
        } => print_stderr(&format!(
            "wrote the {kind} to {} (through {})",
            path.display(),
            file.display()
        )),
        Written::Stream(what) => {
            print_stderr(&format!("wrote the {kind} to {} ({what})", file.display()));
        }
    }
    Ok(())
}

fn kind(format: Format) -> &'static str {
    match format {
        Format::Human => "report",
        Format::Json => "JSON document",
        Format::Markdown => "Markdown report",
        Format::Junit => "JUnit XML report",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_whole_document_and_replaces_an_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.md");
        std::fs::write(&file, "old").unwrap();
        emit("new report", Some(&file), Format::Markdown).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new report\n");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(
            leftovers, 1,
            "the temporary file was renamed, not left behind"
        );
    }
}
