//! Where the wizard speaks: the plan before the first question, step headings, notes, warnings,
//! progress, the preview of its changes and the probes' results — on stderr, through the same
//! scrubbing every message gets, and only when it is talking with a person.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use console::style;

use crate::render::setup::render_changes;
use crate::render::text::{columns, wrap};
use crate::write::Plan;

/// The width a log is written for, when stderr is no terminal.
const LOG_WIDTH: usize = 80;

/// Where the wizard reports progress: stderr, drawn only on a terminal.
pub struct Ui {
    pub progress: bool,
    /// Print step headings and notes (false under --json).
    pub chatty: bool,
    /// The columns lines and choices are made to fit in: the terminal's, else [`LOG_WIDTH`].
    pub width: usize,
}

impl Ui {
    pub fn new(progress: bool, chatty: bool) -> Ui {
        let width = console::Term::stderr()
            .size_checked()
            .map_or(LOG_WIDTH, |(_, columns)| usize::from(columns))
            .clamp(40, 200);
        Ui {
            progress,
            chatty,
            width,
        }
    }

    fn say(&self, text: &str) {
        if self.chatty {
            crate::output::print_stderr(text);
        }
    }

    /// What the wizard will do, in how many steps, which files it may write, and how to leave.
    pub fn intro(&self, steps: &[(&str, &str)], files: &[(String, &str)]) {
        let mut text = format!(
            "{}\n",
            style(format!(
                "Setting up Claude Code on Amazon Bedrock, in {} steps:",
                steps.len()
            ))
            .bold()
            .for_stderr()
        );
        let rows: Vec<Vec<String>> = steps
            .iter()
            .enumerate()
            .map(|(i, (title, purpose))| {
                vec![format!("{}. {title}", i + 1), (*purpose).to_string()]
            })
            .collect();
        text.push_str(&columns(&rows, self.width, self.width / 2));
        let _ = writeln!(
            text,
            "Nothing is written until you confirm at step {}; then only these files may be:",
            steps.len()
        );
        let rows: Vec<Vec<String>> = files
            .iter()
            .map(|(path, what)| vec![path.clone(), (*what).to_string()])
            .collect();
        let side_by_side = columns(&rows, self.width, self.width / 2);
        if side_by_side
            .lines()
            .all(|line| console::measure_text_width(line) <= self.width)
        {
            text.push_str(&side_by_side);
        } else {
            // A long project path: each file on its line, what it is for under it.
            for (path, what) in files {
                let _ = writeln!(text, "  {path}\n{}", self.wrapped("      ", "      ", what));
            }
        }
        text.push_str("Escape goes back a question; Ctrl-C stops at any point and writes nothing.");
        self.say(&text);
    }

    /// "Step 2 of 7 · Region", after a blank line.
    pub fn heading(&self, number: usize, total: usize, title: &str) {
        self.say(&format!(
            "\n{}",
            style(format!("Step {number} of {total} · {title}"))
                .bold()
                .for_stderr()
        ));
    }

    /// An indented line, wrapped at the width with its continuation under its text.
    pub fn note(&self, text: &str) {
        self.say(&self.wrapped("  ", "    ", text));
    }

    pub fn warn(&self, text: &str) {
        let lead = format!("  {} ", style("!").yellow().for_stderr());
        self.say(&self.wrapped(&lead, "    ", text));
    }

    fn wrapped(&self, lead: &str, hang: &str, text: &str) -> String {
        let room = self.width.saturating_sub(hang.len()).max(20);
        wrap(text, room)
            .iter()
            .enumerate()
            .map(|(i, line)| format!("{}{line}", if i == 0 { lead } else { hang }))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A spinner for a call in progress (on a terminal), or the message as a note.
    pub fn spinner(&self, message: &str) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            self.note(message);
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }

    /// One line for the probes: "probing 3/7 · 4.2 s" (on a terminal), or a note of how many.
    pub fn probe_progress(&self, total: usize) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            self.note(&format!("Probing {total} models…"));
            return None;
        }
        let style =
            indicatif::ProgressStyle::with_template("  {spinner} probing {pos}/{len} · {secs}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
                .with_key(
                    "secs",
                    |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                        let _ = write!(out, "{:.1} s", state.elapsed().as_secs_f64());
                    },
                );
        let bar = indicatif::ProgressBar::new(total as u64).with_style(style);
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }

    /// The changes before the question: per file, `+`/`~`/`-` lines.
    pub fn preview(&self, plan: &Plan, credentials: Option<&Plan>, home: Option<&Path>) {
        if self.chatty {
            self.say(render_changes(plan, credentials, home, self.width).trim_end_matches('\n'));
        }
    }

    /// Lines under the current step (the probes' results, in columns).
    pub fn lines(&self, lines: &[String]) {
        for line in lines {
            self.say(&format!("  {line}"));
        }
    }
}
