//! The terminal, for the commands that talk with a person: prompts (a trait, so that tests drive
//! the same flow through a script), and the guard that puts the terminal back and ends what the
//! tool started on every way out.

pub mod prompter;
pub mod terminal;
pub mod wizard;
