//! Each subcommand's flow, and how any of them ends on a fatal error.

pub(crate) mod completions;
pub(crate) mod doctor;
pub(crate) mod fix;
pub(crate) mod man;
pub(crate) mod models;
pub(crate) mod policy;
pub(crate) mod setup;

use crate::error::{EXIT_USAGE, FatalError};
use crate::output::{Output, print_stdout};

/// Prints a fatal error: a document on stdout when a document format was asked for (JSON, JUnit,
/// Markdown), and always a line on stderr.
pub(crate) fn report_fatal(out: &Output, err: &FatalError) -> u8 {
    let document = match out.error_document {
        Some(crate::cli::Format::Json) => Some(crate::render::json::error_document(
            &err.message,
            err.fix.as_deref(),
        )),
        Some(crate::cli::Format::Junit) => Some(crate::render::junit::error_document(
            &err.message,
            err.fix.as_deref(),
        )),
        Some(crate::cli::Format::Markdown) => Some(crate::render::markdown::error_document(
            &err.message,
            err.fix.as_deref(),
        )),
        Some(crate::cli::Format::Human) | None => None,
    };
    if let Some(document) = document {
        // Nothing more can be done when even stdout fails; stderr still gets the message.
        let _ = print_stdout(&document);
    }
    err.print();
    EXIT_USAGE
}
