//! The completion scripts and the manual pages: the copies committed in `assets/` (packed into
//! every release archive) are what the binary writes; each script parses in its own shell and
//! completes commands and each command's formats; every page renders and names every command.
//!
//! The shells and groff come from Debian's packages, unpacked into the test cache
//! (`support::tools::debian`). PowerShell is not among Debian's packages: its script is checked by
//! the generation round trip alone (the committed copy is what the binary writes, and it offers
//! every command).
//!
//! After a change to the command line, `CLAUDE_BEDROCK_UPDATE_ASSETS=1 cargo test --test it
//! completions::` writes the new files into `assets/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use claude_bedrock::cli::{Cli, MAN_PAGES};

use crate::support::tools::{self, run};

const BIN: &str = env!("CARGO_BIN_EXE_claude-bedrock");

/// Each shell and the file its script is committed as.
const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "claude-bedrock.bash"),
    ("zsh", "_claude-bedrock"),
    ("fish", "claude-bedrock.fish"),
    ("powershell", "_claude-bedrock.ps1"),
    ("elvish", "claude-bedrock.elv"),
];

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

fn script(shell: &str) -> String {
    run(
        Command::new(BIN).args(["completions", shell]),
        "claude-bedrock completions",
    )
}

/// The commands a user can type (clap's own `help` aside).
fn commands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect()
}

/// What the binary writes, by path under `assets/`.
fn generated() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for (shell, file) in SCRIPTS {
        files.insert(format!("completions/{file}"), script(shell));
    }
    let dir = tempfile::tempdir().unwrap();
    run(
        Command::new(BIN).args(["man", "--dir"]).arg(dir.path()),
        "claude-bedrock man --dir",
    );
    for (name, text) in read_dir(dir.path()) {
        files.insert(format!("man/{name}"), text);
    }
    files
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn committed() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for sub in ["completions", "man"] {
        for (name, text) in read_dir(&assets().join(sub)) {
            files.insert(format!("{sub}/{name}"), text);
        }
    }
    files
}

#[test]
fn committed_assets_are_what_the_binary_writes() {
    let generated = generated();
    if std::env::var_os("CLAUDE_BEDROCK_UPDATE_ASSETS").is_some() {
        for sub in ["completions", "man"] {
            let _ = std::fs::remove_dir_all(assets().join(sub));
            std::fs::create_dir_all(assets().join(sub)).unwrap();
        }
        for (path, text) in &generated {
            std::fs::write(assets().join(path), text).unwrap();
        }
    }
    let committed = committed();
    let stale: Vec<&String> = generated
        .keys()
        .chain(committed.keys())
        .filter(|path| generated.get(*path) != committed.get(*path))
        .collect();
    assert!(
        stale.is_empty(),
        "assets/ is stale: {stale:?} differ from what the binary writes; run \
         CLAUDE_BEDROCK_UPDATE_ASSETS=1 cargo test --test it completions:: and commit assets/"
    );
    // Every command has a page, and the page list in the binary names exactly the commands.
    assert_eq!(MAN_PAGES.to_vec(), commands());
    assert_eq!(
        committed.keys().filter(|p| p.starts_with("man/")).count(),
        1 + MAN_PAGES.len()
    );
    // The PowerShell script (checked by this round trip alone) offers every command.
    let powershell = &committed["completions/_claude-bedrock.ps1"];
    for command in commands() {
        assert!(
            powershell.contains(&format!("'{command}'")),
            "{command} missing"
        );
    }
}

/// Writes `text` to a file in `dir`, and beside it the same with `broken` appended: a block left
/// open, which the shell's parser must refuse (so that a parse that passes means something).
fn with_broken(dir: &Path, name: &str, text: &str, broken: &str) -> (PathBuf, PathBuf) {
    let whole = dir.join(name);
    std::fs::write(&whole, text).unwrap();
    let cut = dir.join(format!("broken-{name}"));
    std::fs::write(&cut, format!("{text}\n{broken}\n")).unwrap();
    (whole, cut)
}

/// What bash offers for the command line `words` (the last one being completed).
fn bash_complete(script: &Path, function: &str, words: &[&str]) -> Vec<String> {
    let body = format!(
        r#"source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
{function} claude-bedrock "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let out = run(
        Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &body, "bash"])
            .arg(script)
            .args(words),
        "bash completion",
    );
    let mut offered: Vec<String> = out
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.trim().to_string())
        .collect();
    offered.sort();
    offered
}

#[test]
fn bash_parses_and_completes_commands_and_each_commands_formats() {
    let dir = tempfile::tempdir().unwrap();
    let text = script("bash");
    let (file, cut) = with_broken(dir.path(), "claude-bedrock.bash", &text, "if true; then");
    run(Command::new("bash").arg("-n").arg(&file), "bash -n");
    let broken = Command::new("bash").arg("-n").arg(&cut).output().unwrap();
    assert!(
        !broken.status.success(),
        "bash -n must refuse a broken script"
    );

    let function = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("complete -F "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the script registers a completion function");
    let complete = |words: &[&str]| bash_complete(&file, function, words);
    assert_eq!(complete(&["claude-bedrock", "doc"]), ["doctor"]);
    assert_eq!(complete(&["claude-bedrock", "comp"]), ["completions"]);
    assert_eq!(
        complete(&["claude-bedrock", "doctor", "--format", ""]),
        ["human", "json", "junit", "markdown"]
    );
    for command in ["config", "models", "setup"] {
        assert_eq!(
            complete(&["claude-bedrock", command, "--format", ""]),
            ["human", "json"],
            "{command}"
        );
    }
    let shells: Vec<String> = complete(&["claude-bedrock", "completions", ""])
        .into_iter()
        .filter(|word| !word.starts_with('-'))
        .collect();
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
    let offered = complete(&["claude-bedrock", ""]);
    for command in commands() {
        assert!(
            offered.contains(&command),
            "{command} not offered: {offered:?}"
        );
    }
}

/// zsh, fish (with the PCRE2 library it links), elvish and groff, from Debian.
fn debian_tools() -> PathBuf {
    tools::debian(
        "debian-tools",
        &["zsh", "fish", "libpcre2-32-0", "elvish", "groff-base"],
    )
}

/// The directory of the unpacked shared libraries (`usr/lib/<multiarch>`).
fn library_dir(root: &Path) -> PathBuf {
    std::fs::read_dir(root.join("usr/lib"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("libpcre2-32.so.0").exists())
        .expect("libpcre2-32 unpacked")
}

#[test]
fn zsh_fish_and_elvish_parse_the_scripts_and_fish_completes() {
    let root = debian_tools();
    let dir = tempfile::tempdir().unwrap();

    // zsh: the script parses (-n), half of it does not.
    let (file, cut) = with_broken(
        dir.path(),
        "_claude-bedrock",
        &script("zsh"),
        "if true; then",
    );
    let zsh = root.join("bin/zsh");
    run(Command::new(&zsh).arg("-f").arg("-n").arg(&file), "zsh -n");
    let broken = Command::new(&zsh)
        .args(["-f", "-n"])
        .arg(&cut)
        .output()
        .unwrap();
    assert!(
        !broken.status.success(),
        "zsh -n must refuse a broken script"
    );

    // fish: the script parses, and completes as a user's fish would.
    let (file, cut) = with_broken(
        dir.path(),
        "claude-bedrock.fish",
        &script("fish"),
        "if true",
    );
    let fish = |args: &[&str], script: &Path| {
        let mut command = Command::new(root.join("usr/bin/fish"));
        command
            .env_clear()
            .env("HOME", dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("LD_LIBRARY_PATH", library_dir(&root))
            .arg("--no-config")
            .args(args)
            .arg(script);
        command
    };
    run(&mut fish(&["-n"], &file), "fish -n");
    assert!(!fish(&["-n"], &cut).output().unwrap().status.success());
    let complete = |line: &str| -> Vec<String> {
        let body = format!("source $argv[1]; complete -C '{line}'");
        let out = run(&mut fish(&["-c", &body], &file), "fish completion");
        let mut offered: Vec<String> = out
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        offered.sort();
        offered
    };
    assert_eq!(complete("claude-bedrock doc"), ["doctor"]);
    assert_eq!(
        complete("claude-bedrock doctor --format "),
        ["human", "json", "junit", "markdown"]
    );
    assert_eq!(
        complete("claude-bedrock models --format "),
        ["human", "json"]
    );

    // elvish: -compileonly parses the script; outside an interactive shell the `edit:` module it
    // registers with is absent, so the compiler's only complaint may be that, never a parse error.
    let (file, cut) = with_broken(
        dir.path(),
        "claude-bedrock.elv",
        &script("elvish"),
        "if $true {",
    );
    let elvish = |file: &Path| {
        let out = Command::new(root.join("usr/bin/elvish"))
            .arg("-compileonly")
            .arg(file)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let errors = elvish(&file);
    assert!(!errors.contains("Parse error"), "{errors}");
    assert!(
        errors.is_empty() || errors.contains("edit:completion:arg-completer"),
        "{errors}"
    );
    assert!(elvish(&cut).contains("Parse error"));
}

#[test]
fn manual_pages_render_and_name_every_command() {
    let root = debian_tools();
    let groff_share = root.join("usr/share/groff");
    let dir = tempfile::tempdir().unwrap();
    run(
        Command::new(BIN).args(["man", "--dir"]).arg(dir.path()),
        "claude-bedrock man --dir",
    );
    let render = |page: &Path| -> String {
        let output = Command::new(root.join("usr/bin/groff"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("GROFF_BIN_PATH", root.join("usr/bin"))
            .env("GROFF_FONT_PATH", groff_share.join("current/font"))
            .env(
                "GROFF_TMAC_PATH",
                format!(
                    "{}:{}",
                    groff_share.join("current/tmac").display(),
                    groff_share.join("site-tmac").display()
                ),
            )
            // As man renders a page: UTF-8 input through preconv (-k); plain text out (no
            // overstrike, no escape codes); every warning on.
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(page)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && stderr.is_empty(),
            "groff on {}: {stderr}",
            page.display()
        );
        String::from_utf8(output.stdout).unwrap()
    };

    let tool = render(&dir.path().join("claude-bedrock.1"));
    assert!(tool.starts_with("claude-bedrock(1)"), "{tool}");
    for section in [
        "NAME",
        "SYNOPSIS",
        "GLOBAL OPTIONS",
        "SUBCOMMANDS",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(
            tool.contains(&format!("\n{section}\n")),
            "no {section}:\n{tool}"
        );
    }
    for command in commands() {
        assert!(
            tool.contains(&format!("claude-bedrock-{command}(1)")),
            "{command} not listed:\n{tool}"
        );
        let page = dir.path().join(format!("claude-bedrock-{command}.1"));
        let text = render(&page);
        let guide = claude_bedrock::help::guide(&command).unwrap();
        for (line, _) in guide.examples {
            assert!(
                text.contains(line),
                "{command}: example {line} missing:\n{text}"
            );
        }
        assert!(text.contains("EXIT STATUS"), "{text}");
        // `claude-bedrock man COMMAND` prints the same page.
        let printed = run(
            Command::new(BIN).args(["man", &command]),
            "claude-bedrock man COMMAND",
        );
        assert_eq!(printed, std::fs::read_to_string(&page).unwrap());
    }
    let doctor = render(&dir.path().join("claude-bedrock-doctor.1"));
    assert!(doctor.contains("claude-bedrock doctor"), "{doctor}");
    // The doctor's own formats, each explained; another command's page offers two.
    assert!(
        doctor.contains("junit: JUnit XML for CI dashboards"),
        "{doctor}"
    );
    let config = render(&dir.path().join("claude-bedrock-config.1"));
    assert!(
        config.contains("json: A JSON document") && !config.contains("junit"),
        "{config}"
    );
}

#[test]
fn output_writes_the_script_and_the_page_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    for (args, name, kind) in [
        (
            &["completions", "fish"][..],
            "claude-bedrock.fish",
            "completion script",
        ),
        (
            &["man", "doctor"][..],
            "claude-bedrock-doctor.1",
            "manual page",
        ),
    ] {
        let file = dir.path().join(name);
        let output = Command::new(BIN)
            .args(args)
            .arg("--output")
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: stdout stays empty");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.starts_with(&format!("wrote the {kind} to ")), "{said}");
        let printed = run(Command::new(BIN).args(args), "print");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    }
    // A directory that cannot be made is a usage error, said on stderr.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    let output = Command::new(BIN)
        .args(["man", "--dir"])
        .arg(blocked.join("man1"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write the manual pages"));
}
