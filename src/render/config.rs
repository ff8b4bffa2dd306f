//! `claude-bedrock config`: the effective configuration, as a table or a JSON document.

use serde_json::{Map, Value, json};

use crate::config::aws_files::AwsFileState;
use crate::config::settings::FileState;
use crate::config::{EffectiveConfig, RELEVANT_VARIABLES, is_related_variable};
use crate::output::{Output, Palette};
use crate::report::{SCHEMA_VERSION, Tool};
use crate::secret;

/// The JSON document of `config --json`.
pub fn to_json(config: &EffectiveConfig) -> Value {
    let describe = |s: &crate::config::source::Source| config.describe(s);
    let mut env = Map::new();
    let mut names: Vec<&str> = RELEVANT_VARIABLES.to_vec();
    for (name, _) in config.env.iter() {
        if is_related_variable(name) && !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    for name in names {
        let entry = match config.env.var(name) {
            Some(var) => json!({
                "value": secret::display_value(name, &var.value),
                "source": describe(&var.source),
                "layer": var.source.layer().map(super::super::config::source::Layer::id).unwrap_or("process"),
                "file": var.source.path().map(|p| p.display().to_string()),
                "secret": secret::is_secret_var(name),
                "cancelled": var.value.is_empty(),
                "shadowed": var.shadowed.iter().map(|(source, value)| json!({
                    "value": secret::display_value(name, value),
                    "source": describe(source),
                })).collect::<Vec<_>>(),
            }),
            None => json!({ "value": null, "source": null }),
        };
        env.insert(name.to_string(), entry);
    }

    let sourced = |v: &Option<crate::config::Sourced<String>>| match v {
        Some(v) => json!({"value": v.value, "source": describe(&v.source)}),
        None => Value::Null,
    };
    let command = |v: &Option<crate::config::Sourced<String>>| match v {
        Some(v) => {
            json!({"value": secret::redact_command(&v.value), "source": describe(&v.source)})
        }
        None => Value::Null,
    };
    let settings = json!({
        "awsAuthRefresh": command(&config.keys.aws_auth_refresh),
        "awsCredentialExport": command(&config.keys.aws_credential_export),
        "model": sourced(&config.keys.model),
        "apiKeyHelper": command(&config.keys.api_key_helper),
        "modelOverrides": config.keys.model_overrides.iter().map(|(k, v)| (k.clone(), json!({"value": v.value, "source": describe(&v.source)}))).collect::<Map<_, _>>(),
        "availableModels": config.keys.available_models.iter().map(|v| json!({"value": v.value, "source": describe(&v.source)})).collect::<Vec<_>>(),
    });

    let provider = &config.provider;
    let switch = |s: &Option<crate::config::source::Source>| json!({"on": s.is_some(), "source": s.as_ref().map(describe)});
    let region = &config.region;
    let profile = &config.profile;
    let bearer = config.bearer.as_ref().map(|b| {
        let mut value = serde_json::to_value(&b.analysis).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("source".into(), json!(describe(&b.source)));
            map.insert("expired".into(), json!(b.analysis.is_expired(config.now)));
        }
        value
    });
    let aws_files = [&config.aws_files.config, &config.aws_files.credentials];
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "provider": {
            "bedrock": switch(&provider.bedrock),
            "mantle": switch(&provider.mantle),
            "others": provider.others.iter().map(|(name, source)| json!({"variable": name, "source": describe(source)})).collect::<Vec<_>>(),
            "managed_by_host": provider.managed_by_host.as_ref().map(describe),
        },
        "region": {
            "value": region.value,
            "source": region.source.describe(config.home()),
            "source_kind": region.source.kind(),
            "ignored": region.ignored,
            "aws_cli": {"value": region.aws_cli.value, "source": region.aws_cli.source},
        },
        "profile": {
            "name": profile.name,
            "source": profile.describe_source(config.home()),
            "explicit": profile.explicit,
            "kind": profile.info.kind.short(),
            "kind_detail": profile.info.kind.label(),
            "region": profile.info.region.as_ref().map(|(r, _)| r),
            "region_file": profile.info.region.as_ref().map(|(_, f)| f.label()),
            "in_config_file": profile.info.in_config,
            "in_credentials_file": profile.info.in_credentials,
            "sso_region": profile.info.sso_region,
            "sso_start_url": profile.info.sso_start_url,
            "available": config.aws_files.profile_names(),
        },
        "credentials": {
            "source": config.credentials.source.id(),
            "description": config.credentials.source.describe(config.home()),
            "notes": config.credentials.notes,
        },
        "bearer": bearer,
        "env": env,
        "settings": settings,
        "models": config.models.iter().map(|m| json!({
            "setting": m.setting,
            "role": m.role,
            "value": m.id.raw,
            "id": m.id.id,
            "kind": m.id.kind.short(),
            "kind_detail": m.id.kind,
            "prefix": m.id.prefix(),
            "one_million_context": m.id.one_million_context,
            "model": m.id.model.map(|n| n.display()),
            "source": describe(&m.source),
        })).collect::<Vec<_>>(),
        "files": {
            "settings": config.settings.files.iter().map(|f| json!({
                "layer": f.layer.id(),
                "path": f.path.display().to_string(),
                "state": settings_state(&f.state),
            })).chain(config.settings.restricted_out.iter().map(|f| json!({
                "layer": f.layer.id(),
                "path": f.path.display().to_string(),
                "state": restricted_state(&f.state),
            }))).collect::<Vec<_>>(),
            "aws": aws_files.iter().map(|f| json!({
                "kind": f.kind.label(),
                "path": f.path.display().to_string(),
                "path_source": describe(&f.path_source),
                "state": aws_state(&f.state),
            })).collect::<Vec<_>>(),
        },
    })
}

/// A file a restricted session sets aside.
fn restricted_state(state: &FileState) -> String {
    match state {
        FileState::Missing => "missing".into(),
        _ => "ignored by Claude Code: a restricted session (CLAUDE_CODE_RESTRICTED) reads managed settings only".into(),
    }
}

fn settings_state(state: &FileState) -> String {
    match state {
        FileState::Missing => "missing".into(),
        FileState::Loaded(_) => "loaded".into(),
        FileState::DanglingSymlink(target) => {
            format!(
                "a symbolic link to {}, which does not exist",
                target.display()
            )
        }
        FileState::Unreadable(e) => format!("unreadable: {e}"),
        FileState::Invalid {
            message,
            line,
            column,
        } => format!("invalid JSON at line {line}, column {column}: {message}"),
        FileState::NotAnObject(kind) => format!("not an object ({kind})"),
        FileState::Rejected { reason, .. } => format!("ignored by Claude Code: {reason}"),
    }
}

fn aws_state(state: &AwsFileState) -> String {
    match state {
        AwsFileState::Missing => "missing".into(),
        AwsFileState::Loaded => "loaded".into(),
        AwsFileState::Unreadable(e) => format!("unreadable: {e}"),
        AwsFileState::Invalid(e) => format!("invalid: {e}"),
    }
}

/// A table whose first `fixed` columns (names, IDs) never wrap; the rest share what is left.
/// A cell from data: control characters escaped, and cut when very long.
fn cell(text: impl AsRef<str>) -> String {
    crate::encoding::shown(text.as_ref(), crate::render::text::MAX_VALUE_CHARS).into_owned()
}

/// A section of aligned rows; the last column (where the value came from) dimmed.
fn section(text: &mut String, title: &str, rows: Vec<Vec<String>>, cap: usize, out: &Output) {
    let dim = Palette::dim();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut row| {
            if let Some(last) = row.last_mut() {
                *last = last
                    .lines()
                    .map(|l| dim.apply_to(l).to_string())
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            row
        })
        .collect();
    text.push_str(&format!("\n{}\n", Palette::bold().apply_to(title)));
    text.push_str(&crate::render::text::columns(&rows, out.width, cap));
}

/// The configuration for people.
pub fn render_human(config: &EffectiveConfig, out: &Output) -> String {
    // Every piece of data is escaped before it is styled: the styling's own escapes must stay.
    let esc = |text: &str| {
        crate::encoding::shown(text, crate::render::text::MAX_VALUE_CHARS).into_owned()
    };
    let describe = |s: &crate::config::source::Source| esc(&config.describe(s));
    let dim = Palette::dim();
    let bold = Palette::bold();
    let mut text = String::new();
    text.push_str(&format!(
        "{}\n\n",
        bold.apply_to("Claude Code's effective Bedrock configuration")
    ));

    let provider = &config.provider;
    let mut rows: Vec<(String, String)> = Vec::new();
    let switch = |label: &str, variable: &str, source: &crate::config::source::Source| {
        format!(
            "{label} {}",
            dim.apply_to(format!("({variable}, {})", describe(source)))
        )
    };
    let provider_text = match (&provider.bedrock, &provider.mantle) {
        (Some(b), Some(m)) => format!(
            "{}\n{}",
            switch("Bedrock Invoke API", "CLAUDE_CODE_USE_BEDROCK", b),
            switch("Bedrock Mantle", "CLAUDE_CODE_USE_MANTLE", m)
        ),
        (Some(b), None) => switch("Bedrock Invoke API", "CLAUDE_CODE_USE_BEDROCK", b),
        (None, Some(m)) => switch("Bedrock Mantle", "CLAUDE_CODE_USE_MANTLE", m),
        (None, None) => Palette::fail()
            .apply_to("Bedrock is off (CLAUDE_CODE_USE_BEDROCK not on)")
            .to_string(),
    };
    rows.push(("Provider".into(), provider_text));
    let region = &config.region;
    let mut region_text = format!(
        "{} {}",
        esc(&region.value),
        dim.apply_to(format!(
            "from {}",
            esc(&region.source.describe(config.home()))
        ))
    );
    if let Some(cli) = &region.aws_cli.value
        && cli != &region.value
    {
        region_text.push_str(&format!(
            "\n{}",
            Palette::warn().apply_to(format!(
                "aws CLI uses {} ({})",
                esc(cli),
                esc(&region.aws_cli.source.clone())
            ))
        ));
    }
    for ignored in &region.ignored {
        region_text.push_str(&format!(
            "\n{}",
            Palette::warn().apply_to(format!(
                "ignored: {}: {}",
                esc(&ignored.step.clone()),
                esc(&ignored.reason)
            ))
        ));
    }
    rows.push(("Region".into(), region_text));
    let profile = &config.profile;
    let mut profile_text = format!(
        "{} {} — {}",
        esc(&profile.name),
        dim.apply_to(format!(
            "({})",
            esc(&profile.describe_source(config.home()))
        )),
        esc(&profile.info.kind.label())
    );
    if let Some((r, file)) = &profile.info.region {
        profile_text.push_str(&format!(", region {} in {}", esc(r), file.label()));
    }
    rows.push(("Profile".into(), profile_text));
    rows.push((
        "Credentials".into(),
        esc(&config.credentials.source.describe(config.home())),
    ));
    if let Some(bearer) = &config.bearer {
        let a = &bearer.analysis;
        let kind = match &a.kind {
            crate::config::bearer::BearerKind::ShortTerm {
                region, expires_at, ..
            } => format!(
                "short-term, {region}, valid until at most {}{}",
                crate::config::bearer::format_time(*expires_at),
                if a.is_expired(config.now) {
                    " (expired)"
                } else {
                    ""
                }
            ),
            crate::config::bearer::BearerKind::LongTerm { account } => {
                format!("long-term, account {account}")
            }
            crate::config::bearer::BearerKind::Malformed { reason } => {
                format!("malformed: {}", esc(reason))
            }
        };
        rows.push((
            "Bearer key".into(),
            format!(
                "{} {kind} {}",
                a.fingerprint,
                dim.apply_to(format!("({})", describe(&bearer.source)))
            ),
        ));
    }
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(label, value)| vec![bold.apply_to(&label).to_string(), value])
        .collect();
    // Only the values are long; the last column never needs to go under another.
    text.push_str(&crate::render::text::columns(&rows, usize::MAX, usize::MAX));

    let mut env_rows = Vec::new();
    for (name, var) in config.env.iter() {
        if !is_related_variable(name) {
            continue;
        }
        let value = if var.value.is_empty() {
            "(empty: cancelled)".to_string()
        } else {
            secret::display_value(name, &var.value)
        };
        let mut source = describe(&var.source);
        for (shadow_source, shadow_value) in &var.shadowed {
            source.push_str(&format!(
                "\noverrides {} from {}",
                if shadow_value.is_empty() {
                    "(empty)".to_string()
                } else {
                    secret::display_value(name, shadow_value)
                },
                describe(shadow_source)
            ));
        }
        env_rows.push(vec![cell(name), cell(value), source]);
    }
    if env_rows.is_empty() {
        text.push_str(&format!(
            "\n{}\n  none set\n",
            bold.apply_to("Environment (Bedrock-related)")
        ));
    } else {
        section(
            &mut text,
            "Environment (Bedrock-related)",
            env_rows,
            48,
            out,
        );
    }

    let keys = &config.keys;
    let mut setting_rows = Vec::new();
    for (name, value) in [
        ("awsAuthRefresh", &keys.aws_auth_refresh),
        ("awsCredentialExport", &keys.aws_credential_export),
        ("model", &keys.model),
        ("apiKeyHelper", &keys.api_key_helper),
    ] {
        if let Some(value) = value {
            let shown = if name == "model" {
                value.value.clone()
            } else {
                secret::redact_command(&value.value)
            };
            setting_rows.push(vec![cell(name), cell(shown), describe(&value.source)]);
        }
    }
    for (name, value) in &keys.model_overrides {
        setting_rows.push(vec![
            cell(format!("modelOverrides.{name}")),
            cell(&value.value),
            describe(&value.source),
        ]);
    }
    if !keys.available_models.is_empty() {
        let list: Vec<&str> = keys
            .available_models
            .iter()
            .map(|m| m.value.as_str())
            .collect();
        setting_rows.push(vec![
            cell("availableModels"),
            cell(list.join(", ")),
            describe(&keys.available_models[0].source),
        ]);
    }
    if !setting_rows.is_empty() {
        section(&mut text, "Settings keys", setting_rows, 48, out);
    }

    if config.models.is_empty() {
        text.push_str(&format!(
            "\n{}\n  none pinned: Claude Code uses its built-in defaults\n",
            bold.apply_to("Models")
        ));
    } else {
        let rows = config
            .models
            .iter()
            .map(|m| {
                let mut kind = m.id.kind.label();
                if m.id.one_million_context {
                    kind.push_str(", 1M context");
                }
                let what = match m.id.model {
                    Some(name) => format!("{} · {kind}", name.display()),
                    None => kind,
                };
                vec![cell(&m.setting), cell(&m.id.raw), cell(what)]
            })
            .collect();
        section(&mut text, "Models", rows, 48, out);
    }

    if out.verbose >= 1 || config.settings.present().count() > 0 {
        let mut rows: Vec<Vec<String>> = config
            .settings
            .files
            .iter()
            .map(|f| {
                vec![
                    cell(f.layer.label()),
                    cell(config.tilde(&f.path)),
                    settings_state(&f.state),
                ]
            })
            .collect();
        rows.extend(config.settings.restricted_out.iter().map(|f| {
            vec![
                cell(f.layer.label()),
                cell(config.tilde(&f.path)),
                restricted_state(&f.state),
            ]
        }));
        for f in [&config.aws_files.config, &config.aws_files.credentials] {
            rows.push(vec![
                cell(format!("AWS {}", f.kind.label())),
                cell(config.tilde(&f.path)),
                aws_state(&f.state),
            ]);
        }
        section(&mut text, "Files", rows, 72, out);
    }
    text
}
