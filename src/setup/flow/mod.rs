//! The wizard's steps. Each step takes its answer from a flag when one was given, from the
//! prompter when there is a terminal, or from the documented default under `--yes`. Nothing is
//! written before the last step, and then only by the writer.
//!
//! [`Wizard::run`] puts the steps in order; each step (or group of steps) is a child module that
//! adds its methods to [`Wizard`].

mod auth;
mod pins;
mod plan;
mod probe;
mod region;

use std::time::Duration;

use crate::aws::Clients;
use crate::cli::SetupArgs;
use crate::config::{EffectiveConfig, Inputs};
use crate::ui::prompter::{Cancelled, Prompter};
use crate::write::aws_credentials;
use crate::write::{self, Plan, WriteError};

pub use crate::setup::outcome::{AuthChoice, Outcome, Pins, ProbeResult};
pub use crate::ui::wizard::Ui;
pub use plan::{OWNED_ENV, edit_for, pending_overrides};

/// Why setup stopped.
#[derive(Debug)]
pub enum SetupError {
    /// Ctrl-C or Escape: nothing was written.
    Cancelled,
    /// The command line cannot be satisfied (exit 2).
    Usage { message: String, fix: String },
    /// The configuration does not work and `--force` was not given (exit 1).
    Refused { message: String, fix: String },
    /// The writer refused or failed; the file is untouched (exit 1).
    Write(String),
}

impl From<Cancelled> for SetupError {
    fn from(_: Cancelled) -> Self {
        SetupError::Cancelled
    }
}

impl From<WriteError> for SetupError {
    fn from(err: WriteError) -> Self {
        SetupError::Write(err.to_string())
    }
}

impl From<aws_credentials::CredentialsError> for SetupError {
    fn from(err: aws_credentials::CredentialsError) -> Self {
        SetupError::Write(err.to_string())
    }
}

pub struct Wizard<'a> {
    pub args: &'a SetupArgs,
    /// The real process: environment, directories, clock. Global --profile/--region are answers.
    pub inputs: Inputs,
    pub profile_flag: Option<String>,
    pub region_flag: Option<String>,
    pub prompter: Option<&'a mut dyn Prompter>,
    pub ui: Ui,
    pub timeout: Duration,
    /// Read by `--bearer-key-stdin`.
    pub stdin_key: Option<String>,
    warnings: Vec<String>,
}

impl<'a> Wizard<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        args: &'a SetupArgs,
        inputs: Inputs,
        profile_flag: Option<String>,
        region_flag: Option<String>,
        prompter: Option<&'a mut dyn Prompter>,
        ui: Ui,
        timeout: Duration,
        stdin_key: Option<String>,
    ) -> Wizard<'a> {
        Wizard {
            args,
            inputs,
            profile_flag,
            region_flag,
            prompter,
            ui,
            timeout,
            stdin_key,
            warnings: Vec::new(),
        }
    }

    fn interactive(&self) -> bool {
        self.prompter.is_some() && !self.args.yes
    }

    fn warn(&mut self, text: String) {
        self.ui.warn(&text);
        self.warnings.push(text);
    }

    pub async fn run(mut self) -> Result<Outcome, SetupError> {
        let current = EffectiveConfig::resolve(&self.inputs).await;

        self.ui.heading("Authentication");
        let auth = self.choose_auth(&current).await?;
        self.ui.note(&format!("→ {}", auth.describe()));

        // The region Claude Code will resolve once the chosen credentials apply (a profile's own
        // region, say): what the region step offers, and never overrides unasked.
        let with_auth = self.resolved_with(&auth).await;
        let mut region_answer = self.region_flag.clone();
        let region_step = self.ui.step();
        let (region, write_region, pending, list) = loop {
            // Another region is the same steps again, numbered as the first time.
            self.ui.go_back_to(region_step);
            self.ui.heading("Region");
            let (region, write) = self.choose_region(&with_auth, &auth, region_answer.take())?;
            if !self.interactive() {
                self.ui.note(&format!("→ {region}"));
            }
            let pending = self.pending_config(&auth, &region).await;
            if self.args.no_probe {
                self.ui
                    .note("--no-probe: no verification, discovery or probes");
                break (region, write, pending, None);
            }
            let clients = Clients::build(&pending, self.timeout).await;

            self.ui.heading("Verify");
            self.verify(&pending, &clients, &auth).await?;

            self.ui.heading("Discover");
            let list = self.discover(&pending, &clients).await?;
            let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
            if anthropic == 0 {
                self.warn(format!(
                    "{region} offers this account no Anthropic inference profiles"
                ));
                if self.interactive() && self.prompt_confirm("Choose another region?", true)? {
                    continue;
                }
            }
            break (region, write, pending, Some((list, clients)));
        };

        let candidates = match &list {
            Some((list, _)) => crate::catalogue::candidates(list, &region),
            None => Vec::new(),
        };
        let probes = match &list {
            Some((_, clients)) => {
                self.ui.heading("Probe");
                let explicit = self.explicit_pins();
                self.probe(clients, &candidates, &explicit).await
            }
            None => Vec::new(),
        };

        self.ui.heading("Pin models");
        let pins = self.choose_pins(&current, &candidates, &probes, &region)?;
        if !self.interactive() {
            for line in pins.describe() {
                self.ui.note(&format!("→ {line}"));
            }
        }

        let refresh = self.choose_refresh(&current, &auth, &pending)?;

        // Without prompts the result on stdout is the preview.
        if self.interactive() {
            self.ui.heading("Preview");
        }
        let scope = self.choose_scope()?;
        let target = scope.path(&self.inputs.locations);
        let edit = edit_for(
            &current,
            &auth,
            write_region.then_some(region.as_str()),
            &pins,
            refresh,
            &target,
        );
        let plan = write::plan(&target, scope, &edit)?;
        for note in &plan.notes {
            self.warn(note.clone());
        }
        let credentials_plan = match &auth {
            AuthChoice::Keys {
                profile,
                access_key_id,
                secret,
            } => {
                let path = current.aws_files.credentials.path.clone();
                Some(aws_credentials::plan(&path, profile, access_key_id, secret).await?)
            }
            _ => None,
        };
        self.check_precedence(&current, scope, &edit, &auth);
        // The preview precedes the question; under --yes the result itself lists the changes.
        let interactive = self.interactive();
        if interactive {
            self.ui
                .preview(&plan, credentials_plan.as_ref(), current.home());
        }

        let mut outcome = Outcome {
            auth,
            region,
            scope,
            pins,
            probes,
            plan,
            credentials_plan,
            applied: None,
            credentials_applied: None,
            warnings: Vec::new(),
            dry_run: self.args.dry_run,
            previewed: interactive && self.ui.chatty,
        };
        let nothing_to_do =
            outcome.plan.is_noop() && outcome.credentials_plan.as_ref().is_none_or(Plan::is_noop);
        if self.args.dry_run || nothing_to_do {
            outcome.warnings = self.warnings;
            return Ok(outcome);
        }
        if self.interactive() {
            let question = format!(
                "Write these changes to {}?",
                current.tilde(&outcome.plan.target)
            );
            if !self.prompt_confirm(&question, true)? {
                return Err(SetupError::Cancelled);
            }
        }

        // 9. Apply: the only writes, with signals held off until both are done. The key and
        // the settings that name its profile go together: if the second write fails, the first
        // is put back.
        let plans: Vec<&Plan> = outcome
            .credentials_plan
            .iter()
            .chain(std::iter::once(&outcome.plan))
            .collect();
        let (written, signal) =
            crate::ui::terminal::while_applying(|| crate::write::apply_all(&plans));
        let mut written = written
            .map_err(|failed| SetupError::Write(failed.describe(|p| current.tilde(p))))?
            .into_iter();
        // One result per plan, in plan order.
        if outcome.credentials_plan.is_some() {
            outcome.credentials_applied = written.next();
        }
        outcome.applied = written.next();
        if signal.is_some() {
            self.warn("interrupted while writing: the changes were completed first, so no file is half-changed".into());
        }
        outcome.warnings = self.warnings;
        Ok(outcome)
    }

    fn prompt_select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, SetupError> {
        match self.prompter.as_deref_mut() {
            Some(p) if !self.args.yes => Ok(p.select(prompt, items, default)?),
            _ => Ok(default),
        }
    }

    fn prompt_confirm(&mut self, prompt: &str, default: bool) -> Result<bool, SetupError> {
        match self.prompter.as_deref_mut() {
            Some(p) if !self.args.yes => Ok(p.confirm(prompt, default)?),
            _ => Ok(default),
        }
    }
}
