//! Where the wizard speaks: step headings, notes, warnings, the preview of its changes and the
//! probes' results, on stderr, and only when it is talking with a person.

use std::path::Path;

use console::style;

use crate::render::setup::render_changes;
use crate::write::Plan;

/// Where the wizard reports progress: stderr, drawn only on a terminal.
pub struct Ui {
    pub progress: bool,
    /// Print step headings and notes (false under --json).
    pub chatty: bool,
    /// The number of the last step shown: steps that do not apply are not counted.
    step: std::cell::Cell<u32>,
}

impl Ui {
    pub fn new(progress: bool, chatty: bool) -> Ui {
        Ui {
            progress,
            chatty,
            step: std::cell::Cell::new(0),
        }
    }

    /// The number of the last step shown.
    pub fn step(&self) -> u32 {
        self.step.get()
    }

    /// The steps after `step` are shown again, numbered as the first time.
    pub fn go_back_to(&self, step: u32) {
        self.step.set(step);
    }

    pub fn heading(&self, text: &str) {
        let step = self.step.get() + 1;
        self.step.set(step);
        if self.chatty {
            eprintln!("\n{}", style(format!("{step}. {text}")).bold().for_stderr());
        }
    }

    pub fn note(&self, text: &str) {
        if self.chatty {
            eprintln!("  {text}");
        }
    }

    pub fn warn(&self, text: &str) {
        if self.chatty {
            eprintln!("  {} {text}", style("!").yellow().for_stderr());
        }
    }

    /// A spinner for a call in progress (on a terminal), or the message as a note.
    pub fn spinner(&self, message: &str) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            self.note(message);
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Some(bar)
    }

    /// The changes before the question: per file, `+`/`~`/`-` lines.
    pub fn preview(&self, plan: &Plan, credentials: Option<&Plan>, home: Option<&Path>) {
        if self.chatty {
            eprint!("{}", render_changes(plan, credentials, home));
        }
    }

    /// Lines under the current step (the probes' results, in columns).
    pub fn lines(&self, lines: &[String]) {
        if self.chatty {
            for line in lines {
                eprintln!("  {line}");
            }
        }
    }
}
