//! `claude-bedrock man`: the manual pages, rendered by clap_mangen from the same definitions the
//! parser uses — `claude-bedrock(1)`, which lists every command, and one page per command
//! (`claude-bedrock-doctor(1)`, …), each with its examples and exit status.

use std::path::Path;

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::{Cli, MAN_PAGES};
use crate::error::FatalError;
use crate::help::{self, Guide};

/// One page: its file name (`claude-bedrock-doctor.1`) and its roff source.
pub(crate) struct Page {
    pub file_name: String,
    pub roff: String,
}

/// The tool's page, then one per command, in the order of [`MAN_PAGES`].
pub(crate) fn pages() -> Vec<Page> {
    // The `help` subcommand is clap's own and has no page.
    let mut tool = Cli::command().disable_help_subcommand(true);
    tool.build();
    let mut pages = vec![page(&tool, &help::TOOL)];
    for name in MAN_PAGES {
        let command = tool
            .find_subcommand(name)
            .unwrap_or_else(|| panic!("MAN_PAGES names `{name}`, which is not a command"));
        let guide = help::guide(name).unwrap_or_else(|| panic!("`{name}` has no guide"));
        pages.push(page(command, guide));
    }
    pages
}

/// The page of one command (`None`: the tool's).
pub(crate) fn one(command: Option<&str>) -> Page {
    let file_name = match command {
        Some(name) => format!("claude-bedrock-{name}.1"),
        None => "claude-bedrock.1".into(),
    };
    pages()
        .into_iter()
        .find(|page| page.file_name == file_name)
        .unwrap_or_else(|| panic!("no page {file_name}"))
}

/// Writes every page into `dir` (created if missing); returns how many.
pub(crate) fn write_all(dir: &Path) -> Result<usize, FatalError> {
    let failed = |err: std::io::Error| {
        FatalError::new(
            format!("cannot write the manual pages to {}: {err}", dir.display()),
            Some("Choose a directory you can write to, for example ~/.local/share/man/man1."),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let pages = pages();
    for page in &pages {
        std::fs::write(dir.join(&page.file_name), &page.roff).map_err(failed)?;
    }
    Ok(pages.len())
}

fn page(command: &clap::Command, guide: &Guide) -> Page {
    // The examples and exit codes get sections of their own (clap_mangen would print the long
    // help's text as one filled paragraph).
    let command = command
        .clone()
        .after_help(clap::builder::Resettable::Reset)
        .after_long_help(clap::builder::Resettable::Reset);
    let has_subcommands = command.get_subcommands().any(|s| !s.is_hide_set());
    let version = command.get_version().unwrap_or_default().to_string();
    let man = Man::new(command).source(format!("claude-bedrock {version}"));
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut render = |section: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buffer = Vec::new();
        section(&mut buffer).expect("rendering into memory cannot fail");
        parts.push(buffer);
    };
    render(&|w| man.render_title(w));
    render(&|w| man.render_name_section(w));
    render(&|w| man.render_synopsis_section(w));
    render(&|w| man.render_description_section(w));
    render(&|w| man.render_options_section(w));
    if has_subcommands {
        render(&|w| man.render_subcommands_section(w));
    }
    render(&|w| {
        w.extend_from_slice(sections(guide).render().as_bytes());
        Ok(())
    });
    render(&|w| man.render_version_section(w));
    // Every rendered part starts with the same preamble (it defines how apostrophes print); the
    // page needs it once.
    let preamble = Roff::new().render();
    let mut roff = String::new();
    for (i, part) in parts.iter().enumerate() {
        let part = String::from_utf8_lossy(part);
        let part = if i == 0 {
            &part[..]
        } else {
            part.strip_prefix(&preamble).unwrap_or(&part)
        };
        roff.push_str(part);
    }
    Page {
        file_name: man.get_filename(),
        roff,
    }
}

/// EXIT STATUS, EXAMPLES and SEE ALSO, from the command's guide.
fn sections(guide: &Guide) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in guide.exit_codes {
        roff.control("TP", []);
        roff.text([bold(*code)]);
        roff.text([roman(*meaning)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (line, what) in guide.examples {
        roff.control("PP", []);
        roff.text([roman(format!(
            "{}{}:",
            &what[..1].to_uppercase(),
            &what[1..]
        ))]);
        roff.control("RS", ["4"]);
        roff.control("nf", []);
        roff.text([bold(*line)]);
        roff.control("fi", []);
        roff.control("RE", []);
    }
    roff.control("SH", ["SEE ALSO"]);
    let others: Vec<String> = if guide.command.is_empty() {
        MAN_PAGES
            .iter()
            .map(|name| format!("claude-bedrock-{name}(1)"))
            .collect()
    } else {
        vec!["claude-bedrock(1)".into()]
    };
    roff.text([roman(others.join(", "))]);
    roff
}
