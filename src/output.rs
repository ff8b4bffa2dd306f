//! Stream discipline and styling: stdout carries only the result; everything else goes to stderr.
//! Colour follows `--color`, then `NO_COLOR`, then whether the stream is a terminal.

use std::io::{IsTerminal, Write};

use console::Style;

use crate::cli::{ColorChoice, Format, GlobalArgs};

#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub verbose: u8,
    pub quiet: bool,
    pub color: bool,
    /// Whether progress (spinners, bars) may be drawn on stderr.
    pub progress: bool,
    pub width: usize,
    /// The document a fatal error is reported as on stdout, if any.
    pub error_document: Option<Format>,
    /// Plain ASCII only (`--ascii`, or a locale that is not UTF-8).
    pub ascii: bool,
}

impl Output {
    pub fn from_args(args: &GlobalArgs, format: Format) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let (stdout_color, stderr_color) = match args.color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (!no_color && stdout_tty, !no_color && stderr_tty),
        };
        // A document written to a file never carries escape codes, whatever the terminal.
        let stdout_color = stdout_color && args.output.is_none();
        console::set_colors_enabled(stdout_color);
        console::set_colors_enabled_stderr(stderr_color);
        let ascii = args.ascii || !locale_is_utf8();
        ASCII.store(ascii, std::sync::atomic::Ordering::Relaxed);
        let width = console::Term::stdout()
            .size_checked()
            .map(|(_, cols)| cols as usize)
            .unwrap_or(100)
            .clamp(60, 140);
        Output {
            format,
            verbose: args.verbose,
            quiet: args.quiet,
            color: stdout_color,
            progress: stderr_tty && !args.quiet && format == Format::Human,
            width,
            error_document: (format == Format::Json).then_some(Format::Json),
            ascii,
        }
    }

    /// Plain output for tests and non-terminals.
    pub fn plain(format: Format) -> Output {
        Output {
            format,
            verbose: 0,
            quiet: false,
            color: false,
            progress: false,
            width: 100,
            error_document: (format == Format::Json).then_some(Format::Json),
            ascii: false,
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }
}

/// Writes the result to stdout, with every known secret scrubbed. A closed pipe
/// (`claude-bedrock doctor | head`) is not an error; any other failed write (a full disk behind
/// `> file`) is, so that a CI step never takes a truncated document for a whole one.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    let text = crate::secret::scrub(text);
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                stdout.write_all(b"\n")
            }
        })
        .and_then(|()| stdout.flush());
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// One message line on stderr, with every known secret scrubbed. Messages are best effort: a
/// closed stderr must not turn into an error of its own.
pub(crate) fn print_stderr(text: &str) {
    let text = crate::secret::scrub(text);
    let text = if ascii() { to_ascii(&text) } else { text };
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = stderr.write_all(b"\n");
    }
    let _ = stderr.flush();
}

/// Set once the command line is read: `--ascii`, or a locale that is not UTF-8.
static ASCII: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether only ASCII may be printed.
pub(crate) fn ascii() -> bool {
    ASCII.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether the locale says the terminal takes UTF-8: the first of `LC_ALL`, `LC_CTYPE` and
/// `LANG` that is set decides (`C`, `POSIX` or a Latin-1 locale does not). With none set there is
/// nothing to go by, and UTF-8 is assumed.
fn locale_is_utf8() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .is_none_or(|locale| {
            let locale = locale.to_ascii_lowercase();
            locale.contains("utf-8") || locale.contains("utf8")
        })
}

/// Text for a terminal that takes ASCII only: the marks and punctuation the tool prints become
/// their ASCII forms, and anything else outside ASCII (from a value or a message) a `?`.
pub(crate) fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '✓' => out.push_str("[ok]"),
            '✗' => out.push_str("[FAIL]"),
            '·' | '•' => out.push('-'),
            '→' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '…' => out.push_str("..."),
            '—' | '–' => out.push_str("--"),
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            '\u{a0}' => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

pub(crate) struct Palette;

impl Palette {
    pub(crate) fn pass() -> Style {
        Style::new().green()
    }
    pub(crate) fn warn() -> Style {
        Style::new().yellow()
    }
    pub(crate) fn fail() -> Style {
        Style::new().red()
    }
    pub(crate) fn dim() -> Style {
        Style::new().dim()
    }
    /// The terminal's own colour: readable on a light background and a dark one alike.
    pub(crate) fn plain() -> Style {
        Style::new()
    }
    pub(crate) fn bold() -> Style {
        Style::new().bold()
    }
    pub(crate) fn fix() -> Style {
        Style::new().cyan()
    }
}

/// A spinner on stderr, only when progress may be drawn.
pub(crate) fn spinner(out: &Output, message: &str) -> Option<indicatif::ProgressBar> {
    if !out.progress {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(bar)
}
