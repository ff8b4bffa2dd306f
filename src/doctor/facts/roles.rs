//! Which model each of Claude Code's roles calls — the main loop, each tier, background work,
//! subagents, the fallback models, the overrides — resolved as the real client was seen to
//! resolve them (2.1.337; `tests/it/roles.rs` compares with the client). Pure: the account's
//! profile list is the one live input, as it is for the client.

use crate::aws::ops::ProfileList;
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelIdKind, default_prefix_for_region};
use crate::doctor::check_id::CheckId;
use crate::knowledge::Family;

/// One model Claude Code will call, and which setting decides it.
#[derive(Debug, Clone)]
pub struct ModelTarget {
    /// The model check that reports it.
    pub check: CheckId,
    /// `ANTHROPIC_DEFAULT_OPUS_MODEL`, or a description of the default.
    pub setting: String,
    pub id: ModelId,
    pub pinned: bool,
    /// `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`, when it applies at all: which of this role's
    /// requests it sends elsewhere.
    pub small_fast: Option<SmallFastRegion>,
    /// For an unpinned tier: Claude Code's candidates, newest first (`id` is the first).
    pub fallbacks: Vec<ModelId>,
}

impl ModelTarget {
    pub fn key(&self) -> ProbeKey {
        (self.id.id.clone(), self.region_of(&self.id))
    }

    /// The region a request of this role for `model` goes to, when it is not the configured one.
    pub fn region_of(&self, model: &ModelId) -> Option<String> {
        self.small_fast
            .as_ref()
            .filter(|rule| rule.applies_to(model))
            .map(|rule| rule.region.clone())
    }

    /// Every model this target may call: the pin, or each candidate.
    pub fn keys(&self) -> Vec<ProbeKey> {
        if self.fallbacks.is_empty() {
            vec![self.key()]
        } else {
            self.fallbacks
                .iter()
                .map(|f| (f.id.clone(), self.region_of(f)))
                .collect()
        }
    }
}

/// `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION` as Claude Code applies it (read from 2.1.337 and
/// measured): it needs `ANTHROPIC_SMALL_FAST_MODEL` or `ANTHROPIC_DEFAULT_HAIKU_MODEL` set and
/// the small/fast model spelled unlike the main-loop model; then a request goes to that region
/// when its model is the small/fast model under any spelling (prefix, date and version aside)
/// and is not spelled as the main-loop model (2.1.335 on; older clients sent a main loop spelled
/// otherwise there too — a defect of theirs).
#[derive(Debug, Clone)]
pub struct SmallFastRegion {
    pub region: String,
    small_fast: ModelId,
    main: String,
}

impl SmallFastRegion {
    fn of(config: &EffectiveConfig, main: &ModelId) -> Option<SmallFastRegion> {
        let region = config.small_fast_region()?;
        let small_fast = config
            .env
            .get("ANTHROPIC_SMALL_FAST_MODEL")
            .or_else(|| config.env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL"))
            .map(ModelId::parse)?;
        (small_fast.raw.trim() != main.raw.trim()).then(|| SmallFastRegion {
            region: region.to_string(),
            small_fast,
            main: main.raw.trim().to_string(),
        })
    }

    /// The small/fast model, as set.
    pub fn model(&self) -> &ModelId {
        &self.small_fast
    }

    pub fn applies_to(&self, request: &ModelId) -> bool {
        identity(request) == identity(&self.small_fast) && request.raw.trim() != self.main
    }
}

/// A model as Claude Code identifies it across spellings: its name (family and version) when
/// it is a Claude model, else the ID without its cross-region prefix.
pub(crate) fn identity(id: &ModelId) -> String {
    match id.model {
        Some(name) => format!("{:?}-{}-{}", name.family, name.major, name.minor),
        None => {
            let base = id.id.rsplit('/').next().unwrap_or(&id.id);
            match base.split_once('.') {
                Some((prefix, rest)) if crate::config::models::KNOWN_PREFIXES.contains(&prefix) => {
                    rest.to_string()
                }
                _ => base.to_string(),
            }
        }
    }
}

/// A model and the region it is called in.
pub type ProbeKey = (String, Option<String>);

/// The cross-region prefix Claude Code probes an unpinned tier with: a valid
/// `ANTHROPIC_BEDROCK_REGION_PREFIX` (lower case, known), else the region's.
fn candidate_prefix(config: &EffectiveConfig) -> String {
    config
        .env
        .get("ANTHROPIC_BEDROCK_REGION_PREFIX")
        .filter(|p| crate::config::models::KNOWN_PREFIXES.contains(p))
        .map(str::to_string)
        .unwrap_or_else(|| default_prefix_for_region(&config.region.value).to_string())
}

/// The ID Claude Code calls for a candidate (`anthropic.…`, no prefix), as it was seen to
/// choose: its default prefix when the account lists that profile; else the first listed
/// profile of that model under any prefix (or the bare ID); else the default prefix.
fn candidate_id(base: &str, prefix: &str, list: Option<&ProfileList>) -> String {
    let preferred = format!("{prefix}.{base}");
    let Some(list) = list else {
        return preferred;
    };
    let listed = list.profiles.iter().filter(|p| !p.is_application());
    if listed.clone().any(|p| p.id == preferred) {
        return preferred;
    }
    listed
        .map(|p| p.id.clone())
        .find(|id| id == base || id.split_once('.').is_some_and(|(_, rest)| rest == base))
        .unwrap_or(preferred)
}

/// `claude-sonnet-4-5-20250929` for `anthropic.claude-sonnet-4-5-20250929-v1:0`: the
/// first-party ID a `modelOverrides` key names.
fn first_party_id(base: &str) -> String {
    let name = base.strip_prefix("anthropic.").unwrap_or(base);
    match name.rsplit_once("-v") {
        Some((head, tail))
            if tail
                .split(':')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            head.to_string()
        }
        _ => name.to_string(),
    }
}

/// The models Claude Code will call, role by role, resolved as the real client was seen to
/// resolve them (2.1.332): the main loop, each tier, the small/fast model for background work,
/// subagents, and the fallback models. `list` (the account's inference profiles) decides which
/// prefixed ID an unpinned tier probes, as it does in Claude Code.
pub fn model_targets(config: &EffectiveConfig, list: Option<&ProfileList>) -> Vec<ModelTarget> {
    let env = &config.env;
    let prefix = candidate_prefix(config);
    let overrides = &config.keys.model_overrides;
    let override_for = |base: &str| {
        let key = first_party_id(base);
        overrides
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(k, v)| (k.clone(), v.value.clone()))
    };
    // A tier's pin, or Claude Code's candidates for it, best first (a rung that modelOverrides
    // maps is called by its override).
    let tier = |check: CheckId, family: Family, lead: Option<String>| {
        let variable = format!(
            "ANTHROPIC_DEFAULT_{}_MODEL",
            family.name().to_ascii_uppercase()
        );
        let lead = lead.map(|l| format!("{l} → ")).unwrap_or_default();
        if let Some(value) = env.get(&variable) {
            return ModelTarget {
                check,
                setting: format!("{lead}{variable}"),
                id: ModelId::parse(value),
                pinned: true,
                small_fast: None,
                fallbacks: Vec::new(),
            };
        }
        let chain = crate::knowledge::observed().chain(family);
        let fallbacks: Vec<ModelId> = chain
            .iter()
            .map(|base| match override_for(base) {
                Some((_, mapped)) => ModelId::parse(&mapped),
                None => ModelId::parse(&candidate_id(base, &prefix, list)),
            })
            .collect();
        let overridden: Vec<String> = chain
            .iter()
            .filter_map(|base| override_for(base).map(|(key, _)| format!("modelOverrides.{key}")))
            .collect();
        let mut setting = format!(
            "{lead}{variable} unset: Claude Code tries {} model{}, best first (as Claude Code {} was seen to)",
            fallbacks.len(),
            if fallbacks.len() == 1 { "" } else { "s" },
            crate::knowledge::observed().client
        );
        if !overridden.is_empty() {
            setting.push_str(&format!(
                "; {} replace{} a rung",
                overridden.join(", "),
                if overridden.len() == 1 { "s" } else { "" }
            ));
        }
        ModelTarget {
            check,
            setting,
            id: fallbacks[0].clone(),
            pinned: false,
            small_fast: None,
            fallbacks,
        }
    };
    let alias_family = |id: &ModelId| -> Option<Family> {
        (id.kind == ModelIdKind::Alias).then(|| match id.id.as_str() {
            "opus" | "best" | "opusplan" => Family::Opus,
            "haiku" => Family::Haiku,
            "sonnet" => Family::Sonnet,
            _ => crate::knowledge::default_primary_tier(),
        })
    };
    // What a model selection resolves to: an alias is its tier, anything else the ID itself.
    let selection = |check: CheckId, setting: String, id: ModelId| {
        if id.kind == ModelIdKind::Alias && id.id == "fable" {
            return match env.get("ANTHROPIC_DEFAULT_FABLE_MODEL") {
                Some(pin) => ModelTarget {
                    check,
                    setting: format!("{setting}=fable → ANTHROPIC_DEFAULT_FABLE_MODEL"),
                    id: ModelId::parse(pin),
                    pinned: true,
                    small_fast: None,
                    fallbacks: Vec::new(),
                },
                None => ModelTarget {
                    check,
                    setting: format!(
                        "{setting}=fable: Claude Code sends its built-in Fable model unprobed; pin ANTHROPIC_DEFAULT_FABLE_MODEL to check it"
                    ),
                    id,
                    pinned: true,
                    small_fast: None,
                    fallbacks: Vec::new(),
                },
            };
        }
        match alias_family(&id) {
            Some(family) => tier(check, family, Some(format!("{setting}={}", id.raw))),
            None => ModelTarget {
                check,
                setting,
                id,
                pinned: true,
                small_fast: None,
                fallbacks: Vec::new(),
            },
        }
    };

    // The main loop: ANTHROPIC_MODEL, the `model` setting, ANTHROPIC_DEFAULT_MODEL (≥ 2.1.236),
    // then a lone Sonnet pin (seen: it carries the main loop when Opus is not pinned), then the
    // default tier.
    let explicit = env
        .get("ANTHROPIC_MODEL")
        .map(|v| ("ANTHROPIC_MODEL".to_string(), ModelId::parse(v)))
        .or_else(|| {
            config
                .keys
                .model
                .as_ref()
                .map(|m| ("model (settings)".to_string(), ModelId::parse(&m.value)))
        })
        .or_else(|| {
            env.get("ANTHROPIC_DEFAULT_MODEL")
                .filter(|v| !matches!(*v, "default" | "inherit" | "opusplan" | "haiku"))
                .map(|v| ("ANTHROPIC_DEFAULT_MODEL".to_string(), ModelId::parse(v)))
        });
    let lone_sonnet_pin = env.get("ANTHROPIC_DEFAULT_SONNET_MODEL").is_some()
        && env.get("ANTHROPIC_DEFAULT_OPUS_MODEL").is_none();
    let mut default_family = crate::knowledge::default_primary_tier();
    // enforceAvailableModels with an allowlist that leaves out the default tier moves the
    // default to Sonnet (seen with ["sonnet","haiku"]).
    if config.keys.enforce_available_models.is_some()
        && !config.keys.available_models.is_empty()
        && !config
            .keys
            .available_models
            .iter()
            .any(|m| m.value.contains(default_family.name()))
    {
        default_family = Family::Sonnet;
    }
    let primary = match explicit {
        Some((setting, id)) => selection(CheckId::ModelsPrimary, setting, id),
        None if lone_sonnet_pin => tier(
            CheckId::ModelsPrimary,
            Family::Sonnet,
            Some("nothing selects a model and only the Sonnet tier is pinned".into()),
        ),
        None => tier(
            CheckId::ModelsPrimary,
            default_family,
            Some("nothing selects a model".into()),
        ),
    };
    // The primary is the unpinned default tier: background work then goes to the Sonnet tier.
    let primary_is_unpinned_default = !primary.pinned
        && primary.check == CheckId::ModelsPrimary
        && explicit_is_none(config)
        && !lone_sonnet_pin
        && env.get("ANTHROPIC_DEFAULT_OPUS_MODEL").is_none();

    let mut targets = vec![primary.clone()];
    targets.push(tier(CheckId::ModelsOpus, Family::Opus, None));
    targets.push(tier(CheckId::ModelsSonnet, Family::Sonnet, None));
    targets.push(tier(CheckId::ModelsHaiku, Family::Haiku, None));

    // Background (small/fast): ANTHROPIC_SMALL_FAST_MODEL, ANTHROPIC_DEFAULT_HAIKU_MODEL, else the
    // main-loop model — except when that is the unpinned default, then the Sonnet tier.
    let small_fast = if let Some(value) = env.get("ANTHROPIC_SMALL_FAST_MODEL") {
        ModelTarget {
            check: CheckId::ModelsSmallFast,
            setting: "ANTHROPIC_SMALL_FAST_MODEL".into(),
            id: ModelId::parse(value),
            pinned: true,
            small_fast: None,
            fallbacks: Vec::new(),
        }
    } else if let Some(value) = env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL") {
        ModelTarget {
            check: CheckId::ModelsSmallFast,
            setting: "ANTHROPIC_SMALL_FAST_MODEL unset → ANTHROPIC_DEFAULT_HAIKU_MODEL".into(),
            id: ModelId::parse(value),
            pinned: true,
            small_fast: None,
            fallbacks: Vec::new(),
        }
    } else if primary_is_unpinned_default {
        tier(
            CheckId::ModelsSmallFast,
            Family::Sonnet,
            Some(
                "no Haiku model set and no model selected: background work runs on the Sonnet tier"
                    .into(),
            ),
        )
    } else {
        ModelTarget {
            check: CheckId::ModelsSmallFast,
            setting: format!(
                "no Haiku model set: background work runs on the main-loop model ({})",
                primary.setting
            ),
            ..primary.clone()
        }
    };
    targets.push(small_fast);

    // Subagents: the model a spawn asks for, else the agent's own `model:`, else
    // CLAUDE_CODE_SUBAGENT_MODEL (a default since 2.1.251; with CLAUDE_CODE_SUBAGENT_MODEL_FORCE
    // it wins), else the main-loop model. The doctor can know only the last two.
    let forced = env
        .get("CLAUDE_CODE_SUBAGENT_MODEL_FORCE")
        .is_some_and(|v| !v.is_empty());
    let mut subagent = match env
        .get("CLAUDE_CODE_SUBAGENT_MODEL")
        .filter(|v| *v != "inherit")
    {
        Some(value) => selection(
            CheckId::ModelsSubagent,
            if forced {
                "CLAUDE_CODE_SUBAGENT_MODEL (forced by CLAUDE_CODE_SUBAGENT_MODEL_FORCE)".into()
            } else {
                "CLAUDE_CODE_SUBAGENT_MODEL (a default: an agent's own model: or the model a spawn asks for wins)".into()
            },
            ModelId::parse(value),
        ),
        None => ModelTarget {
            check: CheckId::ModelsSubagent,
            setting: "CLAUDE_CODE_SUBAGENT_MODEL unset: subagents run on the main-loop model unless an agent names its own"
                .into(),
            ..primary.clone()
        },
    };
    // Read only with a host that manages the provider (seen in 2.1.337): then a subagent that
    // would run on Sonnet or Haiku runs on the Opus default instead.
    if env
        .get("CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS")
        .is_some_and(|v| !v.is_empty())
    {
        subagent.setting.push_str(
            if env.get("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST").is_some_and(|v| !v.is_empty()) {
                "; CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS: a Sonnet or Haiku subagent runs on the Opus default instead"
            } else {
                "; CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS has no effect without CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"
            },
        );
    }
    targets.push(subagent);
    // Inside a workflow run (2.1.296), its own variable replaces every agent's model.
    if let Some(value) = env
        .get("CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL")
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("inherit"))
    {
        targets.push(selection(
            CheckId::ModelsSubagent,
            "CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL (workflow runs)".into(),
            ModelId::parse(value),
        ));
    }

    for (index, fallback) in config.keys.fallback_models.iter().enumerate() {
        let mut target = selection(
            CheckId::ModelsFallback,
            format!("fallbackModel[{index}]"),
            ModelId::parse(&fallback.value),
        );
        target.check = CheckId::ModelsFallback;
        targets.push(target);
    }
    for (name, value) in overrides {
        targets.push(ModelTarget {
            check: CheckId::ModelsOverrides,
            setting: format!("modelOverrides.{name}"),
            id: ModelId::parse(&value.value),
            pinned: true,
            small_fast: None,
            fallbacks: Vec::new(),
        });
    }
    // Every role's requests for the small/fast model may go to its own region.
    let small_fast = SmallFastRegion::of(config, &primary.id);
    for target in &mut targets {
        target.small_fast.clone_from(&small_fast);
    }
    targets
}

fn explicit_is_none(config: &EffectiveConfig) -> bool {
    config.env.get("ANTHROPIC_MODEL").is_none()
        && config.keys.model.is_none()
        && config
            .env
            .get("ANTHROPIC_DEFAULT_MODEL")
            .is_none_or(|v| matches!(v, "default" | "inherit" | "opusplan" | "haiku"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::config;

    const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    const GLOBAL_HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
    const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";

    fn targets(env: &[(&str, &str)]) -> Vec<ModelTarget> {
        model_targets(&config(env, ""), None)
    }

    fn subagent_settings(env: &[(&str, &str)]) -> Vec<(String, String)> {
        targets(env)
            .into_iter()
            .filter(|t| t.check == CheckId::ModelsSubagent)
            .map(|t| (t.setting, t.id.id))
            .collect()
    }

    /// The signing region of the main loop's and the small/fast model's requests.
    fn regions(env: &[(&str, &str)]) -> (Option<String>, Option<String>) {
        let all = targets(env);
        let of = |check: CheckId| {
            let target = all.iter().find(|t| t.check == check).unwrap();
            target.region_of(&target.id)
        };
        (of(CheckId::ModelsPrimary), of(CheckId::ModelsSmallFast))
    }

    #[test]
    fn the_small_fast_region_needs_a_small_fast_or_haiku_model_set() {
        let region = ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "eu-west-1");
        let other = Some("eu-west-1".to_string());
        // The region alone: no request of a role goes there.
        assert_eq!(regions(&[region, ("ANTHROPIC_MODEL", OPUS)]), (None, None));
        // ANTHROPIC_SMALL_FAST_MODEL alone is enough.
        assert_eq!(
            regions(&[
                region,
                ("ANTHROPIC_MODEL", OPUS),
                ("ANTHROPIC_SMALL_FAST_MODEL", HAIKU)
            ]),
            (None, other.clone())
        );
        assert_eq!(
            regions(&[
                region,
                ("ANTHROPIC_MODEL", OPUS),
                ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU)
            ]),
            (None, other.clone())
        );
    }

    #[test]
    fn a_main_loop_that_is_the_small_fast_model_stays_in_the_main_region() {
        let region = ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "eu-west-1");
        // The same string: the rule never applies.
        assert_eq!(
            regions(&[
                region,
                ("ANTHROPIC_MODEL", HAIKU),
                ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU)
            ]),
            (None, None)
        );
        // Another spelling of the same model: the main loop stays home (2.1.335 and later), the
        // background requests, spelled otherwise, go to the small/fast region.
        assert_eq!(
            regions(&[
                region,
                ("ANTHROPIC_MODEL", HAIKU),
                ("ANTHROPIC_DEFAULT_HAIKU_MODEL", GLOBAL_HAIKU)
            ]),
            (None, Some("eu-west-1".to_string()))
        );
    }

    #[test]
    fn the_subagent_model_is_a_default_and_the_workflow_model_a_role_of_its_own() {
        let settings = subagent_settings(&[
            ("ANTHROPIC_MODEL", OPUS),
            ("CLAUDE_CODE_SUBAGENT_MODEL", HAIKU),
        ]);
        assert_eq!(settings.len(), 1);
        assert!(settings[0].0.contains("a default"), "{settings:?}");
        assert_eq!(settings[0].1, HAIKU);
        let forced = subagent_settings(&[
            ("CLAUDE_CODE_SUBAGENT_MODEL", HAIKU),
            ("CLAUDE_CODE_SUBAGENT_MODEL_FORCE", "1"),
        ]);
        assert!(forced[0].0.contains("forced"), "{forced:?}");
        let workflow = subagent_settings(&[
            ("ANTHROPIC_MODEL", OPUS),
            ("CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL", HAIKU),
        ]);
        assert_eq!(workflow.len(), 2, "{workflow:?}");
        assert_eq!(workflow[0].1, OPUS);
        assert_eq!(
            workflow[1],
            (
                "CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL (workflow runs)".to_string(),
                HAIKU.to_string()
            )
        );
        // `inherit` names no model.
        let inherit = subagent_settings(&[
            ("ANTHROPIC_MODEL", OPUS),
            ("CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL", "inherit"),
        ]);
        assert_eq!(inherit.len(), 1, "{inherit:?}");
    }

    #[test]
    fn no_small_subagent_models_is_read_only_under_a_host() {
        let alone = subagent_settings(&[("CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS", "1")]);
        assert!(
            alone[0]
                .0
                .contains("has no effect without CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"),
            "{alone:?}"
        );
        let hosted = subagent_settings(&[
            ("CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS", "1"),
            ("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1"),
        ]);
        assert!(
            hosted[0].0.contains("runs on the Opus default instead"),
            "{hosted:?}"
        );
    }
}
