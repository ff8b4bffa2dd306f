//! Step 6: the models pinned per tier, and the primary model.

use super::{Pins, ProbeResult, SetupError, Wizard};
use crate::catalogue::Candidate;
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, default_prefix_for_region};
use crate::knowledge::Family;

impl Wizard<'_> {
    pub(super) fn choose_pins(
        &mut self,
        current: &EffectiveConfig,
        candidates: &[Candidate],
        probes: &[ProbeResult],
        region: &str,
    ) -> Result<Pins, SetupError> {
        let mut pins = Pins::default();
        for family in Family::ALL {
            let tier = family.name();
            let variable = format!("ANTHROPIC_DEFAULT_{}_MODEL", tier.to_ascii_uppercase());
            let flag = match family {
                Family::Opus => self.args.opus.clone(),
                Family::Sonnet => self.args.sonnet.clone(),
                Family::Haiku => self.args.haiku.clone(),
            };
            let existing = current.env.get(&variable).map(str::to_string);
            let chosen = self.choose_tier(family, flag, existing, candidates, probes, region)?;
            match family {
                Family::Opus => pins.opus = chosen,
                Family::Sonnet => pins.sonnet = chosen,
                Family::Haiku => pins.haiku = chosen,
            }
        }
        pins.primary = self.choose_primary(current, &pins, probes)?;
        self.choose_one_million(&mut pins, current)?;
        Ok(pins)
    }

    fn choose_tier(
        &mut self,
        family: Family,
        flag: Option<String>,
        existing: Option<String>,
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
        let mut items = Vec::new();
        let mut values: Vec<Option<String>> = Vec::new();
        if let Some(existing) = &existing
            && !mine.iter().any(|c| c.id == *existing)
        {
            let status = match probe_of(existing) {
                Some(p) if p.works() => "✓".to_string(),
                Some(p) => format!("✗ {}", p.reason()),
                None => String::new(),
            };
            items.push(format!("Keep the current pin {existing} {status}"));
            values.push(Some(existing.clone()));
        }
        for c in &mine {
            let status = match probe_of(&c.id) {
                Some(p) if p.works() => "✓".to_string(),
                Some(p) => format!("✗ {}", p.reason()),
                None => "(not probed)".to_string(),
            };
            items.push(format!(
                "{} — {} {status}",
                c.id,
                c.model.as_deref().unwrap_or("")
            ));
            values.push(Some(c.id.clone()));
        }
        let newest = crate::knowledge::tier_default(family, default_prefix_for_region(region));
        items.push(format!(
            "Leave unpinned (Claude Code tries its own candidates, from {newest})"
        ));
        values.push(None);
        let default = existing
            .as_ref()
            .and_then(|e| values.iter().position(|v| v.as_deref() == Some(e.as_str())))
            .filter(|_| existing_works)
            .or_else(|| {
                newest_working
                    .as_ref()
                    .and_then(|n| values.iter().position(|v| v.as_deref() == Some(n.as_str())))
            })
            .unwrap_or(values.len() - 1);
        loop {
            let picked = self.prompt_select(&format!("Pin the {tier} tier to"), &items, default)?;
            let value = values[picked].clone();
            if let Some(id) = &value
                && let Some(probe) = probe_of(id)
                && !probe.works()
            {
                let question = format!("{id} did not answer ({}). Pin it anyway?", probe.reason());
                if !self.prompt_confirm(&question, false)? {
                    continue;
                }
                self.warnings.push(format!(
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
            self.warnings
                .push(format!("{message} (pinned because of --force)"));
            return Ok(());
        }
        Err(SetupError::Refused {
            message,
            fix: "Pick a model that answers (`claude-bedrock models --probe` lists them), or pass --force to pin it anyway.".into(),
        })
    }

    fn choose_primary(
        &mut self,
        current: &EffectiveConfig,
        pins: &Pins,
        probes: &[ProbeResult],
    ) -> Result<Option<String>, SetupError> {
        if let Some(id) = self.args.model.clone() {
            let probe = probes.iter().find(|p| p.id == ModelId::parse(&id).id);
            self.check_pin("primary", &id, probe)?;
            return Ok(Some(id));
        }
        let existing = current.env.get("ANTHROPIC_MODEL").map(str::to_string);
        if !self.interactive() {
            return Ok(existing);
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
        let default = if existing.is_some() { 1 } else { 0 };
        let picked = self.prompt_select("Primary model (ANTHROPIC_MODEL)", &items, default)?;
        Ok(values[picked].clone())
    }

    fn choose_one_million(
        &mut self,
        pins: &mut Pins,
        current: &EffectiveConfig,
    ) -> Result<(), SetupError> {
        for slot in [&mut pins.opus, &mut pins.sonnet, &mut pins.primary] {
            let Some(pin) = slot.as_mut() else { continue };
            let id = ModelId::parse(pin);
            let Some(model) = id
                .model
                .filter(crate::config::models::ModelName::supports_1m)
            else {
                continue;
            };
            let already = id.one_million_context;
            let want = if self.args.one_million {
                true
            } else if self.interactive() {
                let had = current
                    .env
                    .iter()
                    .any(|(_, v)| v.value == format!("{}[1m]", id.id));
                self.prompt_confirm(
                    &format!(
                        "Use {} with the 1M-token context window ([1m])?",
                        model.display()
                    ),
                    already || had,
                )?
            } else {
                already
            };
            *pin = if want {
                format!("{}[1m]", id.id)
            } else {
                id.id.clone()
            };
        }
        Ok(())
    }
}
