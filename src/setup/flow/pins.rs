//! Step 6: the models pinned per tier, and the primary model.

use super::{Pins, ProbeResult, SetupError, Walk, Wizard};
use crate::catalogue::Candidate;
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, default_prefix_for_region};
use crate::knowledge::Family;

impl Wizard<'_> {
    /// Each tier's pin, the primary model, then the 1M-token context where a model offers it;
    /// Escape goes back one question. `before`: the answers given the last time, preselected.
    pub(super) fn choose_pins(
        &mut self,
        current: &EffectiveConfig,
        candidates: &[Candidate],
        probes: &[ProbeResult],
        region: &str,
        before: Option<&Pins>,
    ) -> Result<Pins, SetupError> {
        let mut pins = Pins::default();
        let mut walk = Walk::default();
        // The latest answers, before any [1m] (going back to a 1M question starts from them):
        // a question asked again preselects its last answer, from this pass or the one before.
        let mut chosen = before.cloned().unwrap_or_default();
        loop {
            let asked = match walk.at {
                0..=2 => {
                    let family = Family::ALL[walk.at];
                    let tier = family.name();
                    let variable = format!("ANTHROPIC_DEFAULT_{}_MODEL", tier.to_ascii_uppercase());
                    let (flag, previous) = match family {
                        Family::Opus => (self.args.opus.clone(), chosen.opus.clone()),
                        Family::Sonnet => (self.args.sonnet.clone(), chosen.sonnet.clone()),
                        Family::Haiku => (self.args.haiku.clone(), chosen.haiku.clone()),
                    };
                    let existing = current.env.get(&variable).map(str::to_string);
                    let asked = flag.is_none() && self.interactive();
                    self.choose_tier(family, flag, existing, previous, candidates, probes, region)
                        .map(|pin| {
                            match family {
                                Family::Opus => chosen.opus = pin,
                                Family::Sonnet => chosen.sonnet = pin,
                                Family::Haiku => chosen.haiku = pin,
                            }
                            asked
                        })
                }
                3 => {
                    let previous = chosen.primary.clone();
                    self.choose_primary(current, &chosen, probes, previous).map(
                        |(primary, asked)| {
                            chosen.primary = primary;
                            asked
                        },
                    )
                }
                4 => {
                    pins = chosen.clone();
                    self.choose_one_million(&mut pins, current, before, 0)
                }
                5 => self.choose_one_million(&mut pins, current, before, 1),
                6 => self.choose_one_million(&mut pins, current, before, 2),
                _ => break,
            };
            walk.next(asked)?;
        }
        if !self.interactive() {
            for line in pins.describe() {
                self.ui.note(&format!("→ {line}"));
            }
        }
        Ok(pins)
    }

    #[allow(clippy::too_many_arguments)]
    fn choose_tier(
        &mut self,
        family: Family,
        flag: Option<String>,
        existing: Option<String>,
        previous: Option<String>,
        candidates: &[Candidate],
        probes: &[ProbeResult],
        region: &str,
    ) -> Result<Option<String>, SetupError> {
        let tier = family.name();
        let probe_of = |id: &str| probes.iter().find(|p| p.id == ModelId::parse(id).id);
        if let Some(id) = flag {
            self.check_pin(tier, &id, probe_of(&id))?;
            return Ok(Some(id));
        }
        let mine: Vec<&Candidate> = candidates.iter().filter(|c| c.family == family).collect();
        let newest_working = mine
            .iter()
            .find(|c| probe_of(&c.id).is_some_and(ProbeResult::works))
            .map(|c| c.id.clone());
        let existing_works = existing
            .as_deref()
            .map(|e| probe_of(e).is_none_or(ProbeResult::works))
            .unwrap_or(false);
        if !self.interactive() {
            // Keep a pin that works (or was not probed); otherwise the newest working model.
            return Ok(match (&existing, existing_works, &newest_working) {
                (Some(existing), true, _) => Some(existing.clone()),
                (_, _, Some(newest)) => Some(newest.clone()),
                (Some(existing), false, None) => {
                    self.warn(format!("the {tier} pin {existing} does not answer and no other {tier} model does; it was kept"));
                    Some(existing.clone())
                }
                (None, _, None) => None,
            });
        }
        // One row per model: its ID (shortened to fit: the whole ID is what gets written), the
        // model, and whether it answered; the columns line up.
        let status = |id: &str| match probe_of(id) {
            Some(p) if p.works() => "✓ answers".to_string(),
            Some(p) => format!("✗ {}", p.reason()),
            None => "not probed".to_string(),
        };
        let mut rows: Vec<[String; 3]> = Vec::new();
        let mut values: Vec<Option<String>> = Vec::new();
        if let Some(existing) = &existing
            && !mine.iter().any(|c| c.id == *existing)
        {
            rows.push([existing.clone(), "the current pin".into(), status(existing)]);
            values.push(Some(existing.clone()));
        }
        for c in &mine {
            rows.push([
                c.id.clone(),
                c.model.clone().unwrap_or_default(),
                status(&c.id),
            ]);
            values.push(Some(c.id.clone()));
        }
        let mut items = crate::render::setup::choice_rows(&rows, self.ui.width.saturating_sub(4));
        let newest = crate::knowledge::tier_default(family, default_prefix_for_region(region));
        items.push(format!(
            "Leave unpinned (Claude Code's default: {})",
            crate::render::setup::shorten(&newest, self.ui.width.saturating_sub(4 + 40))
        ));
        values.push(None);
        let position = |id: &str| values.iter().position(|v| v.as_deref() == Some(id));
        let default = previous
            .as_deref()
            .map(|p| ModelId::parse(p).id)
            .and_then(|p| position(&p))
            .or_else(|| {
                existing
                    .as_deref()
                    .and_then(position)
                    .filter(|_| existing_works)
            })
            .or_else(|| newest_working.as_deref().and_then(position))
            .unwrap_or(values.len() - 1);
        loop {
            let picked = self.prompt_select(&format!("Pin the {tier} tier to"), &items, default)?;
            let value = values[picked].clone();
            if let Some(id) = &value
                && let Some(probe) = probe_of(id)
                && !probe.works()
            {
                // Going on without a model that answers was already agreed to.
                if !self.unverified {
                    let question =
                        format!("{id} did not answer ({}). Pin it anyway?", probe.reason());
                    match self.prompt_confirm(&question, false) {
                        Ok(true) => {}
                        Ok(false) | Err(SetupError::Back) => continue,
                        Err(err) => return Err(err),
                    }
                }
                self.record(format!(
                    "{tier}: pinned {id} although it did not answer ({})",
                    probe.reason()
                ));
            }
            return Ok(value);
        }
    }

    /// A pin given on the command line must answer its probe, unless --force.
    fn check_pin(
        &mut self,
        tier: &str,
        id: &str,
        probe: Option<&ProbeResult>,
    ) -> Result<(), SetupError> {
        let Some(probe) = probe else { return Ok(()) };
        if probe.works() {
            return Ok(());
        }
        let message = format!(
            "the {tier} model {id} did not answer its probe: {}",
            probe.reason()
        );
        if self.args.force {
            self.record(format!("{message} (pinned because of --force)"));
            return Ok(());
        }
        Err(SetupError::Refused {
            message,
            fix: "Pick a model that answers (`claude-bedrock models --probe` lists them), or pass --force to pin it anyway.".into(),
        })
    }

    /// The primary model (`ANTHROPIC_MODEL`), and whether that was asked.
    fn choose_primary(
        &mut self,
        current: &EffectiveConfig,
        pins: &Pins,
        probes: &[ProbeResult],
        previous: Option<String>,
    ) -> Result<(Option<String>, bool), SetupError> {
        if let Some(id) = self.args.model.clone() {
            let probe = probes.iter().find(|p| p.id == ModelId::parse(&id).id);
            self.check_pin("primary", &id, probe)?;
            return Ok((Some(id), false));
        }
        let existing = current.env.get("ANTHROPIC_MODEL").map(str::to_string);
        if !self.interactive() {
            return Ok((existing, false));
        }
        let mut items = vec![format!(
            "Not set: Claude Code starts on the {} tier",
            crate::knowledge::default_primary_tier().name()
        )];
        let mut values: Vec<Option<String>> = vec![None];
        if let Some(existing) = &existing {
            items.push(format!("Keep the current primary model {existing}"));
            values.push(Some(existing.clone()));
        }
        for (label, pin) in [
            ("Opus", &pins.opus),
            ("Sonnet", &pins.sonnet),
            ("Haiku", &pins.haiku),
        ] {
            if let Some(pin) = pin
                && existing.as_deref() != Some(pin.as_str())
            {
                items.push(format!("The {label} pin: {pin}"));
                values.push(Some(pin.clone()));
            }
        }
        let previous = previous.map(|p| ModelId::parse(&p).id);
        let default = values
            .iter()
            .position(|v| v.is_some() && v.as_deref().map(|v| ModelId::parse(v).id) == previous)
            .unwrap_or(usize::from(existing.is_some()));
        let picked = self.prompt_select("Primary model (ANTHROPIC_MODEL)", &items, default)?;
        Ok((values[picked].clone(), true))
    }

    /// Whether the pin in `slot` (0 Opus, 1 Sonnet, 2 the primary model) gets the 1M-token
    /// context window (`[1m]`), where its model offers it; and whether that was asked.
    fn choose_one_million(
        &mut self,
        pins: &mut Pins,
        current: &EffectiveConfig,
        before: Option<&Pins>,
        slot: usize,
    ) -> Result<bool, SetupError> {
        let (pin, had_before) = match slot {
            0 => (&mut pins.opus, before.and_then(|b| b.opus.as_deref())),
            1 => (&mut pins.sonnet, before.and_then(|b| b.sonnet.as_deref())),
            _ => (&mut pins.primary, before.and_then(|b| b.primary.as_deref())),
        };
        let Some(value) = pin.as_mut() else {
            return Ok(false);
        };
        let id = ModelId::parse(value);
        let Some(model) = id
            .model
            .filter(crate::config::models::ModelName::supports_1m)
        else {
            return Ok(false);
        };
        let already =
            id.one_million_context || had_before.is_some_and(|b| b == format!("{}[1m]", id.id));
        let (want, asked) = if self.args.one_million {
            (true, false)
        } else if self.interactive() {
            let had = current
                .env
                .iter()
                .any(|(_, v)| v.value == format!("{}[1m]", id.id));
            let question = format!(
                "Use {} with the 1M-token context window ([1m])?",
                model.display()
            );
            (self.prompt_confirm(&question, already || had)?, true)
        } else {
            (already, false)
        };
        *value = if want {
            format!("{}[1m]", id.id)
        } else {
            id.id.clone()
        };
        Ok(asked)
    }
}
