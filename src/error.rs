//! The error that stops a command before it can produce its result, and how it is said on
//! stderr. (The document a `--json`, JUnit or Markdown run still gets is the renderers'.)

/// Exit status for usage errors and failures of the tool itself.
pub const EXIT_USAGE: u8 = 2;

/// An error that stops a command before it can produce its result.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FatalError {
    pub message: String,
    pub fix: Option<String>,
}

impl FatalError {
    pub fn new(message: impl Into<String>, fix: Option<&str>) -> FatalError {
        FatalError {
            message: message.into(),
            fix: fix.map(str::to_string),
        }
    }

    /// `error: …` and `fix: …` on stderr, coloured for it, every control character visible.
    pub fn print(&self) {
        use crate::output::{Palette, print_stderr};
        print_stderr(&format!(
            "{} {}",
            Palette::fail().for_stderr().apply_to("error:"),
            crate::encoding::escape_controls(&self.message)
        ));
        if let Some(fix) = &self.fix {
            print_stderr(&format!(
                "{} {}",
                Palette::fix().for_stderr().apply_to("fix:"),
                crate::encoding::escape_controls(fix)
            ));
        }
    }
}
