//! `claude-bedrock models`: the inference profiles, as a table or a JSON document.

use serde_json::{Value, json};

use crate::aws::errors::FailureKind;
use crate::aws::explain::Explanation;
use crate::aws::ops::Probe;
use crate::catalogue::Row;
use crate::config::EffectiveConfig;
use crate::knowledge::Family;
use crate::output::Palette;
use crate::render::text::{Line, table};
use crate::report::{SCHEMA_VERSION, Tool};

pub fn to_json(config: &EffectiveConfig, rows: &[Row]) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "region": config.region.value,
        "region_source": config.region.source.describe(config.home()),
        "profiles": rows,
    })
}

fn availability(probe: &Probe) -> String {
    match &probe.failure {
        None => Palette::pass().apply_to("✓ available").to_string(),
        Some(f) if f.kind == FailureKind::Throttled => {
            Palette::warn().apply_to("! throttled").to_string()
        }
        Some(f) => {
            let reason = f.short_reason();
            Palette::fail().apply_to(format!("✗ {reason}")).to_string()
        }
    }
}

/// The list for people: grouped by family, aligned, with the first failure of a probe explained
/// (`first_failure`: how many did not answer, and why the first did not).
pub fn render_human(
    config: &EffectiveConfig,
    rows: &[Row],
    all: bool,
    first_failure: Option<(usize, Explanation)>,
) -> String {
    // IDs and names come from the server (or a proxy): escaped and bounded like any data.
    let esc = |text: &str| {
        crate::encoding::shown(text, crate::render::text::MAX_VALUE_CHARS).into_owned()
    };
    let mut text = format!(
        "{}  {}\n\n",
        Palette::bold().apply_to(format!(
            "Inference profiles in {}",
            esc(&config.region.value)
        )),
        Palette::dim().apply_to(format!(
            "region from {}",
            esc(&config.region.source.describe(config.home()))
        ))
    );
    if rows.is_empty() {
        text.push_str(if all {
            "  none: this account has no inference profiles in this region\n"
        } else {
            "  none serves an Anthropic model in this region; try --all, or another --region\n"
        });
        return text;
    }
    // One table for every family, so that the columns line up across them. IDs are what people
    // copy, so they are never wrapped; an ID too long for its column (an ARN) gets a line of its
    // own.
    const ID_COLUMN: usize = 48;
    let kind_of = |row: &Row| match (&row.prefix, row.kind.as_str()) {
        (Some(prefix), _) => format!("{prefix}. cross-region"),
        (None, "application") => format!("application \"{}\"", esc(&row.name)),
        _ => esc(&row.kind),
    };
    let mut lines = Vec::new();
    let mut last_family = None;
    for row in rows {
        let family = match row.family {
            Some(Family::Opus) => "Opus",
            Some(Family::Sonnet) => "Sonnet",
            Some(Family::Haiku) => "Haiku",
            None => "Other",
        };
        if last_family != Some(family) {
            if last_family.is_some() {
                lines.push(Line::Text(String::new()));
            }
            lines.push(Line::Text(Palette::bold().apply_to(family).to_string()));
            last_family = Some(family);
        }
        lines.push(Line::Row(vec![
            esc(row.model_id()),
            esc(row.model.as_deref().unwrap_or("")),
            kind_of(row),
            row.probe.as_ref().map(availability).unwrap_or_default(),
        ]));
    }
    text.push_str(&table(&lines, usize::MAX, ID_COLUMN));
    if let Some((failing, e)) = first_failure {
        text.push_str(&format!(
            "\n{failing} of {} did not answer. {}\n{} {}\n",
            rows.len(),
            esc(&e.summary),
            Palette::fix().apply_to("fix:"),
            esc(&e.fix)
        ));
    }
    text
}
