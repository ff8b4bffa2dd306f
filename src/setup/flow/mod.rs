//! The wizard's steps. Each step takes its answer from a flag when one was given, from the
//! prompter when there is a terminal, or from the documented default under `--yes`. Nothing is
//! written before the last step, and then only by the writer.
//!
//! [`Wizard::run`] walks the steps; Escape at a question goes back to the question before it,
//! and from a step's first question to the step before. Each step (or group of steps) is a child
//! module that adds its methods to [`Wizard`].

mod auth;
mod pins;
mod plan;
mod probe;
mod region;

use std::time::Duration;

use crate::aws::Clients;
use crate::aws::ops::ProfileList;
use crate::cli::{ScopeArg, SetupArgs};
use crate::config::{EffectiveConfig, Inputs};
use crate::ui::prompter::{Interrupt, Prompter};
use crate::write::aws_credentials;
use crate::write::{self, Plan, Scope, WriteError};

pub use crate::setup::outcome::{AuthChoice, Outcome, Pins, ProbeResult};
pub use crate::ui::wizard::Ui;
pub use plan::{OWNED_ENV, edit_for, pending_overrides};

/// Why setup stopped.
#[derive(Debug)]
pub enum SetupError {
    /// Ctrl-C: nothing was written.
    Cancelled,
    /// Escape: back to the question before. The wizard turns it into the step it leads to; it
    /// leaves the wizard only if something answers Escape outside the steps (then: cancelled).
    Back,
    /// A choice to return to an earlier step ("choose other credentials"): handled as [`Back`].
    ///
    /// [`Back`]: SetupError::Back
    GoTo(Step),
    /// The command line cannot be satisfied (exit 2).
    Usage { message: String, fix: String },
    /// The configuration does not work and `--force` was not given (exit 1).
    Refused { message: String, fix: String },
    /// The writer refused or failed; the file is untouched (exit 1).
    Write(String),
}

impl From<Interrupt> for SetupError {
    fn from(interrupt: Interrupt) -> Self {
        match interrupt {
            Interrupt::Back => SetupError::Back,
            Interrupt::Cancel => SetupError::Cancelled,
        }
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

/// The wizard's steps, in order. The live checks (verify, discover, probe) are not shown or
/// counted under `--no-probe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Auth,
    Region,
    Verify,
    Discover,
    Probe,
    Pins,
    Write,
}

impl Step {
    pub fn title(self) -> &'static str {
        match self {
            Step::Auth => "Authentication",
            Step::Region => "Region",
            Step::Verify => "Verify",
            Step::Discover => "Discover",
            Step::Probe => "Probe",
            Step::Pins => "Pin models",
            Step::Write => "Write",
        }
    }

    /// What the step does, for the plan shown before the first question.
    pub fn purpose(self) -> &'static str {
        match self {
            Step::Auth => "how Claude Code signs its calls to AWS",
            Step::Region => "where it calls Bedrock",
            Step::Verify => "one call that proves the credentials work",
            Step::Discover => "the inference profiles the account can call",
            Step::Probe => "a one-token request to each candidate model",
            Step::Pins => "the model each tier (Opus, Sonnet, Haiku) uses",
            Step::Write => "the changes, shown, then written if you confirm",
        }
    }
}

/// Where the region step left things: the region, whether it is written, the configuration as it
/// will be, and what the live checks found (none under `--no-probe`).
struct Placed {
    region: String,
    write_region: bool,
    pending: EffectiveConfig,
    checked: Option<Checked>,
}

/// What the live checks found.
struct Checked {
    candidates: Vec<crate::catalogue::Candidate>,
    probes: Vec<ProbeResult>,
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
    /// The steps shown, in order: a heading says "Step 2 of 7".
    steps: Vec<Step>,
    /// The step being taken: what it warns is forgotten when it is taken again.
    at: Step,
    warnings: Vec<(Step, String)>,
    /// The person chose to go on although no model answered: pins are not questioned again.
    unverified: bool,
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
        let steps = if args.no_probe {
            vec![Step::Auth, Step::Region, Step::Pins, Step::Write]
        } else {
            vec![
                Step::Auth,
                Step::Region,
                Step::Verify,
                Step::Discover,
                Step::Probe,
                Step::Pins,
                Step::Write,
            ]
        };
        Wizard {
            args,
            inputs,
            profile_flag,
            region_flag,
            prompter,
            ui,
            timeout,
            stdin_key,
            steps,
            at: Step::Auth,
            warnings: Vec::new(),
            unverified: false,
        }
    }

    fn interactive(&self) -> bool {
        self.prompter.is_some() && !self.args.yes
    }

    /// A warning now, and in the result unless its step is taken again.
    fn warn(&mut self, text: String) {
        self.ui.warn(&text);
        self.record(text);
    }

    /// A warning for the result only (it was already said in other words).
    fn record(&mut self, text: String) {
        self.warnings.push((self.at, text));
    }

    /// "Step 2 of 7 · Region"; the steps after it start again from nothing said.
    fn heading(&mut self, step: Step) {
        self.at = step;
        self.warnings.retain(|(said_at, _)| *said_at < step);
        let number = self
            .steps
            .iter()
            .position(|s| *s == step)
            .map_or(0, |i| i + 1);
        self.ui.heading(number, self.steps.len(), step.title());
    }

    /// "Step 2 (region)", for a choice that leads back there.
    fn step_name(&self, step: Step) -> String {
        let number = self
            .steps
            .iter()
            .position(|s| *s == step)
            .map_or(0, |i| i + 1);
        format!("step {number} ({})", step.title().to_lowercase())
    }

    /// Before the first question: the plan, the files it may write, and how to leave.
    fn intro(&self, current: &EffectiveConfig) {
        let steps: Vec<(&str, &str)> = self
            .steps
            .iter()
            .map(|s| (s.title(), s.purpose()))
            .collect();
        let locations = &self.inputs.locations;
        let files = vec![
            (
                current.tilde(&Scope::User.path(locations)),
                "settings for every project (the default)",
            ),
            (
                current.tilde(&Scope::Local.path(locations)),
                "or settings for this project, kept out of git",
            ),
            (
                current.tilde(&Scope::Project.path(locations)),
                "or settings shared with the project (no secrets)",
            ),
            (
                current.tilde(&current.aws_files.credentials.path),
                "only for an access key you type in, as a profile",
            ),
        ];
        self.ui.intro(&steps, &files);
    }

    pub async fn run(mut self) -> Result<Outcome, SetupError> {
        let current = EffectiveConfig::resolve(&self.inputs).await;
        if self.interactive() {
            self.intro(&current);
        }
        let mut step = Step::Auth;
        // Set on the way back: a step reached again asks what its flags answered the first time.
        let mut again = false;
        let mut auth: Option<AuthChoice> = None;
        let mut placed: Option<Placed> = None;
        let mut pins: Option<Pins> = None;
        loop {
            let result = match step {
                Step::Auth => {
                    if again && self.interactive() {
                        self.ui
                            .note("This is the first step: Ctrl-C stops here, writing nothing.");
                    }
                    match self.auth_step(&current, again).await {
                        Ok(chosen) => {
                            auth = Some(chosen);
                            Ok(Step::Region)
                        }
                        Err(err) => Err(err),
                    }
                }
                Step::Region => {
                    let chosen = auth.clone().expect("authentication comes first");
                    let before = placed.as_ref().map(|p| p.region.clone());
                    let flag = if again {
                        None
                    } else {
                        self.region_flag.clone()
                    };
                    match self.region_steps(&chosen, flag, before.as_deref()).await {
                        Ok(done) => {
                            placed = Some(done);
                            Ok(Step::Pins)
                        }
                        Err(err) => Err(err),
                    }
                }
                Step::Pins => {
                    let done = placed.as_ref().expect("the region comes before the pins");
                    let region = done.region.clone();
                    let (candidates, probes) = done
                        .checked
                        .as_ref()
                        .map(|c| (c.candidates.clone(), c.probes.clone()))
                        .unwrap_or_default();
                    self.heading(Step::Pins);
                    match self.choose_pins(&current, &candidates, &probes, &region, pins.as_ref()) {
                        Ok(chosen) => {
                            pins = Some(chosen);
                            Ok(Step::Write)
                        }
                        Err(err) => Err(err),
                    }
                }
                // The live checks run within the region step.
                Step::Verify | Step::Discover | Step::Probe => Ok(Step::Region),
                Step::Write => {
                    let chosen = auth.clone().expect("authentication comes first");
                    let done = placed.as_ref().expect("the region comes before the write");
                    let chosen_pins = pins.clone().expect("the pins come before the write");
                    match self.write_step(&current, &chosen, done, chosen_pins).await {
                        Ok(outcome) => return Ok(outcome),
                        Err(err) => Err(err),
                    }
                }
            };
            match result {
                Ok(next) => {
                    step = next;
                    again = false;
                }
                Err(SetupError::Back) => {
                    step = match step {
                        Step::Auth | Step::Region => Step::Auth,
                        Step::Verify | Step::Discover | Step::Probe | Step::Pins => Step::Region,
                        Step::Write => Step::Pins,
                    };
                    again = true;
                }
                Err(SetupError::GoTo(to)) => {
                    step = to;
                    again = true;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// Step 1, and the one thing it rules out at once: a secret in the shared project file.
    async fn auth_step(
        &mut self,
        current: &EffectiveConfig,
        again: bool,
    ) -> Result<AuthChoice, SetupError> {
        self.heading(Step::Auth);
        let auth = self.choose_auth(current, again).await?;
        if self.args.scope == Some(ScopeArg::Project) && auth.writes_secret() {
            return Err(SetupError::Usage {
                message: "--scope project would put the Bedrock API key in .claude/settings.json, which is shared with everyone on the project and usually committed to git".into(),
                fix: "Use --scope user (~/.claude/settings.json) or --scope local (.claude/settings.local.json, kept out of git).".into(),
            });
        }
        self.ui.note(&format!("→ {}", auth.describe()));
        Ok(auth)
    }

    /// Step 2, then the live checks of the configuration it makes (steps 3–5). Escape or a
    /// choice at a check comes back to the region question.
    async fn region_steps(
        &mut self,
        auth: &AuthChoice,
        flag: Option<String>,
        before: Option<&str>,
    ) -> Result<Placed, SetupError> {
        // The region Claude Code will resolve once the chosen credentials apply (a profile's own
        // region, say): what the region step offers, and never overrides unasked.
        let with_auth = self.resolved_with(auth).await;
        let mut answer = flag;
        loop {
            self.heading(Step::Region);
            let (region, write_region) =
                self.choose_region(&with_auth, auth, answer.take(), before)?;
            if !self.interactive() {
                self.ui.note(&format!("→ {region}"));
            }
            let pending = self.pending_config(auth, &region).await;
            if self.args.no_probe {
                self.ui
                    .note("--no-probe: no verification, discovery or probes");
                return Ok(Placed {
                    region,
                    write_region,
                    pending,
                    checked: None,
                });
            }
            match self.checks(&pending, auth, &region).await {
                Ok(checked) => {
                    return Ok(Placed {
                        region,
                        write_region,
                        pending,
                        checked: Some(checked),
                    });
                }
                Err(SetupError::Back) => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// Steps 3–5: verify, discover, probe.
    async fn checks(
        &mut self,
        pending: &EffectiveConfig,
        auth: &AuthChoice,
        region: &str,
    ) -> Result<Checked, SetupError> {
        let clients = Clients::build(pending, self.timeout).await;
        self.heading(Step::Verify);
        self.verify(pending, &clients, auth).await?;

        self.heading(Step::Discover);
        let list: ProfileList = self.discover(pending, &clients).await?;
        let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
        if anthropic == 0 {
            self.warn(format!(
                "{region} offers this account no Anthropic inference profiles"
            ));
            if self.interactive() && self.prompt_confirm("Choose another region?", true)? {
                return Err(SetupError::Back);
            }
        }

        let candidates = crate::catalogue::candidates(&list, region);
        self.heading(Step::Probe);
        let explicit = self.explicit_pins();
        let probes = self.probe(&clients, &candidates, &explicit).await;
        self.show_probes(&probes);
        self.none_answered(pending, &clients, &probes)?;
        Ok(Checked { candidates, probes })
    }

    /// Step 7: the SSO refresh and the scope, the preview, the one question, and the writes.
    async fn write_step(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        placed: &Placed,
        pins: Pins,
    ) -> Result<Outcome, SetupError> {
        self.heading(Step::Write);
        let mut walk = Walk::default();
        let mut refresh = None;
        let mut scope = Scope::User;
        loop {
            let asked = match walk.at {
                0 => self
                    .choose_refresh(current, auth, &placed.pending)
                    .map(|(answer, asked)| {
                        refresh = answer;
                        asked
                    }),
                1 => self.choose_scope(auth).map(|(answer, asked)| {
                    scope = answer;
                    asked
                }),
                _ => {
                    let result = self
                        .preview_and_apply(current, auth, placed, &pins, refresh, scope)
                        .await;
                    match result {
                        Ok(outcome) => return Ok(outcome),
                        Err(err) => Err(err),
                    }
                }
            };
            walk.next(asked)?;
        }
    }

    async fn preview_and_apply(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        placed: &Placed,
        pins: &Pins,
        refresh: Option<bool>,
        scope: Scope,
    ) -> Result<Outcome, SetupError> {
        let target = scope.path(&self.inputs.locations);
        let edit = edit_for(
            current,
            auth,
            placed.write_region.then_some(placed.region.as_str()),
            pins,
            refresh,
            &target,
        );
        let plan = write::plan(&target, scope, &edit)?;
        // Said again each time the preview is shown: recorded under the write step.
        self.warnings.retain(|(step, _)| *step < Step::Write);
        for note in &plan.notes {
            self.warn(note.clone());
        }
        let credentials_plan = match auth {
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
        self.check_precedence(current, scope, &edit, auth);
        if let AuthChoice::Env { exported, .. } = auth
            && !exported.is_empty()
        {
            self.record(format!(
                "Claude Code will find these credentials only when it is started from a shell that exports {}: setup writes them nowhere",
                exported.join(", ")
            ));
        }
        let interactive = self.interactive();
        if interactive {
            self.ui
                .preview(&plan, credentials_plan.as_ref(), current.home());
        } else {
            self.ui.note(&format!(
                "→ {} ({scope} scope)",
                current.tilde(&plan.target)
            ));
        }

        let mut outcome = Outcome {
            auth: auth.clone(),
            region: placed.region.clone(),
            scope,
            pins: pins.clone(),
            probes: placed
                .checked
                .as_ref()
                .map(|c| c.probes.clone())
                .unwrap_or_default(),
            plan,
            credentials_plan,
            applied: None,
            credentials_applied: None,
            warnings: Vec::new(),
            dry_run: self.args.dry_run,
            previewed: interactive && self.ui.chatty,
        };
        let written_files: Vec<String> = outcome
            .credentials_plan
            .iter()
            .chain(std::iter::once(&outcome.plan))
            .filter(|plan| !plan.is_noop())
            .map(|plan| current.tilde(&plan.target))
            .collect();
        if self.args.dry_run || written_files.is_empty() {
            outcome.warnings = self.warnings.iter().map(|(_, w)| w.clone()).collect();
            return Ok(outcome);
        }
        if interactive {
            let question = format!("Write {}?", and_list(&written_files));
            if !self.prompt_confirm(&question, true)? {
                return Err(SetupError::Cancelled);
            }
        }

        // The only writes, with signals held off until both are done. The key and the settings
        // that name its profile go together: if the second write fails, the first is put back.
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
        outcome.warnings = self.warnings.iter().map(|(_, w)| w.clone()).collect();
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

    /// After a bad answer: type it again, or go back to the question before (Escape too).
    fn again_or_back(&mut self, again: &str, back: &str) -> Result<(), SetupError> {
        let items = vec![again.to_string(), back.to_string()];
        match self.prompt_select("What now?", &items, 0)? {
            0 => Ok(()),
            _ => Err(SetupError::Back),
        }
    }
}

/// The questions of one step, in order: Escape returns to the last one that was really asked
/// (a question a flag answered, or that does not apply, is passed over), and from the first,
/// out of the step.
#[derive(Debug, Default)]
struct Walk {
    at: usize,
    asked: Vec<usize>,
}

impl Walk {
    /// `Ok(asked)` moves to the next question; Escape moves back.
    fn next(&mut self, answered: Result<bool, SetupError>) -> Result<(), SetupError> {
        match answered {
            Ok(asked) => {
                if asked {
                    self.asked.push(self.at);
                }
                self.at += 1;
                Ok(())
            }
            Err(SetupError::Back) => match self.asked.pop() {
                Some(previous) => {
                    self.at = previous;
                    Ok(())
                }
                None => Err(SetupError::Back),
            },
            Err(err) => Err(err),
        }
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
