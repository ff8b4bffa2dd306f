//! The wizard asks through this trait, so that tests can answer it from a script and a real
//! terminal gets dialoguer. Every prompt also has a command-line flag (see `SetupArgs`).

use std::collections::VecDeque;

use console::Term;
use dialoguer::theme::{ColorfulTheme, Theme};
use dialoguer::{Confirm, Input, Password, Select};

/// Why a prompt has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// Escape at a choice or a yes/no question, or an empty text entry: back to the question
    /// before.
    Back,
    /// Ctrl-C: stop, write nothing.
    Cancel,
}

/// Every prompt answers or says why not. A text entry without a default takes an empty answer
/// as [`Interrupt::Back`] (dialoguer's text prompts ignore Escape).
pub trait Prompter {
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Interrupt>;
    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Interrupt>;
    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Interrupt>;
    /// Masked input for secrets.
    fn password(&mut self, prompt: &str) -> Result<String, Interrupt>;
}

/// The real terminal, on stderr (stdout carries only results).
pub struct TerminalPrompter {
    theme: ColorfulTheme,
    term: Term,
}

impl TerminalPrompter {
    pub fn new() -> TerminalPrompter {
        TerminalPrompter {
            theme: ColorfulTheme::default(),
            term: Term::stderr(),
        }
    }
}

impl TerminalPrompter {
    /// A prompt left by Ctrl-C may leave the cursor hidden and the line half drawn.
    fn cancelled(&self) -> Interrupt {
        let _ = self.term.show_cursor();
        let _ = self.term.write_line("");
        Interrupt::Cancel
    }

    /// dialoguer's `interact_on_opt`: `None` is Escape (or `q`), an error is Ctrl-C or a lost
    /// terminal.
    fn answered<T>(&self, result: dialoguer::Result<Option<T>>) -> Result<T, Interrupt> {
        match result {
            Ok(Some(answer)) => Ok(answer),
            Ok(None) => Err(Interrupt::Back),
            Err(_) => Err(self.cancelled()),
        }
    }
}

impl Default for TerminalPrompter {
    fn default() -> Self {
        Self::new()
    }
}

impl Prompter for TerminalPrompter {
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Interrupt> {
        // An item wider than the terminal wraps, and the prompt then erases too few lines when
        // it redraws, leaving stale copies of itself behind: every item fits on one line.
        let columns = usize::from(self.term.size().1);
        let width = columns.saturating_sub(4).max(20);
        let items: Vec<String> = items
            .iter()
            .map(|item| console::truncate_str(item, width, "…").into_owned())
            .collect();
        let result = Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(&items)
            .default(default.min(items.len().saturating_sub(1)))
            .report(false)
            .interact_on_opt(&self.term);
        let picked = self.answered(result)?;
        // The line left behind ("✔ prompt · choice") is the theme's, cut to the width: the
        // prompt and a whole row together would wrap.
        // A row of aligned columns is said as its cells, not its padding.
        let cells: Vec<&str> = items[picked]
            .split("  ")
            .map(str::trim)
            .filter(|cell| !cell.is_empty())
            .collect();
        let mut line = String::new();
        if self
            .theme
            .format_select_prompt_selection(&mut line, prompt, &cells.join(" · "))
            .is_ok()
        {
            let line = console::truncate_str(&line, columns.saturating_sub(1).max(20), "…");
            let _ = self.term.write_line(&line);
        }
        Ok(picked)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Interrupt> {
        let result = Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact_on_opt(&self.term);
        self.answered(result)
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Interrupt> {
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(default.is_none());
        if let Some(default) = default {
            input = input.default(default.to_string());
        }
        match input.interact_text_on(&self.term) {
            Ok(text) if text.trim().is_empty() && default.is_none() => Err(Interrupt::Back),
            Ok(text) => Ok(text),
            Err(_) => Err(self.cancelled()),
        }
    }

    fn password(&mut self, prompt: &str) -> Result<String, Interrupt> {
        match Password::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty_password(true)
            .interact_on(&self.term)
        {
            Ok(text) if text.trim().is_empty() => Err(Interrupt::Back),
            Ok(text) => Ok(text),
            Err(_) => Err(self.cancelled()),
        }
    }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Pick the item whose text contains this.
    Pick(String),
    /// Accept the default.
    Default,
    Yes,
    No,
    /// Text; an empty one goes back where no default is offered, as on a terminal.
    Text(String),
    /// Escape: back to the question before.
    Back,
    /// Ctrl-C.
    Cancel,
}

/// Answers from a script, recording every prompt it was shown (for tests).
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    answers: VecDeque<Answer>,
    /// `(prompt, items)` in the order asked.
    pub asked: Vec<(String, Vec<String>)>,
    /// The default each select/confirm offered, in order.
    pub defaults: Vec<String>,
}

impl ScriptedPrompter {
    pub fn new(answers: impl IntoIterator<Item = Answer>) -> ScriptedPrompter {
        ScriptedPrompter {
            answers: answers.into_iter().collect(),
            ..ScriptedPrompter::default()
        }
    }

    pub fn remaining(&self) -> usize {
        self.answers.len()
    }

    fn next(&mut self, prompt: &str, items: &[String]) -> Answer {
        self.asked.push((prompt.to_string(), items.to_vec()));
        self.answers
            .pop_front()
            .unwrap_or_else(|| panic!("no scripted answer for prompt {prompt:?} ({items:?})"))
    }
}

impl Prompter for ScriptedPrompter {
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Interrupt> {
        self.defaults
            .push(items.get(default).cloned().unwrap_or_default());
        match self.next(prompt, items) {
            Answer::Default => Ok(default),
            Answer::Pick(text) => Ok(items
                .iter()
                .position(|item| item.contains(&text))
                .unwrap_or_else(|| panic!("{prompt:?}: no item contains {text:?} in {items:?}"))),
            Answer::Back => Err(Interrupt::Back),
            Answer::Cancel => Err(Interrupt::Cancel),
            other => panic!(
                "{prompt:?} is a choice, the script answered {other:?}; asked so far: {:?}",
                self.asked
            ),
        }
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Interrupt> {
        self.defaults.push(default.to_string());
        match self.next(prompt, &[]) {
            Answer::Default => Ok(default),
            Answer::Yes => Ok(true),
            Answer::No => Ok(false),
            Answer::Back => Err(Interrupt::Back),
            Answer::Cancel => Err(Interrupt::Cancel),
            other => panic!(
                "{prompt:?} is a yes/no question, the script answered {other:?}; asked so far: {:?}",
                self.asked
            ),
        }
    }

    fn input(&mut self, prompt: &str, default: Option<&str>) -> Result<String, Interrupt> {
        match self.next(prompt, &[]) {
            Answer::Text(text) if text.trim().is_empty() && default.is_none() => {
                Err(Interrupt::Back)
            }
            Answer::Text(text) => Ok(text),
            Answer::Default => default.map(str::to_string).ok_or(Interrupt::Back),
            Answer::Back => Err(Interrupt::Back),
            Answer::Cancel => Err(Interrupt::Cancel),
            other => panic!("{prompt:?} asks for text, the script answered {other:?}"),
        }
    }

    fn password(&mut self, prompt: &str) -> Result<String, Interrupt> {
        self.input(prompt, None)
    }
}
