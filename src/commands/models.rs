//! `claude-bedrock models`: the inference profiles this account can use in the region, grouped by
//! model family, newest first; `--probe` tries each with a one-token request.

use std::sync::Arc;

use crate::aws::Clients;
use crate::aws::explain::{Attempt, explain};
use crate::aws::ops;
use crate::catalogue::{probe_all, rows};
use crate::cli::ModelsArgs;
use crate::config::EffectiveConfig;
use crate::output::Output;

pub(crate) struct ModelsOutcome {
    pub text: String,
    pub exit_code: u8,
}

pub(crate) async fn run(
    config: &EffectiveConfig,
    args: &ModelsArgs,
    out: &Output,
    timeout: std::time::Duration,
) -> ModelsOutcome {
    let clients = Arc::new(Clients::build(config, timeout).await);
    let list = match ops::list_profiles(&clients).await {
        Ok(list) => list,
        Err(failure) => {
            let attempt = Attempt::list_profiles(&clients);
            let e = explain(&failure, &attempt, config);
            let text = if out.is_json() {
                crate::render::json::error_document(&e.summary, Some(&e.fix))
            } else {
                String::new()
            };
            crate::error::FatalError::new(e.summary, Some(&e.fix)).print();
            return ModelsOutcome { text, exit_code: 1 };
        }
    };
    let home_prefix = crate::config::models::default_prefix_for_region(&config.region.value);
    let mut rows = rows(&list.profiles, args.all, home_prefix);
    if args.probe {
        let bar = out.progress.then(|| {
            let bar = indicatif::ProgressBar::new(rows.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} probing {pos}/{len} {bar:30} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        probe_all(&clients, &mut rows, bar.as_ref()).await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    let text = if out.is_json() {
        crate::render::json::to_string(&crate::render::models::to_json(config, &rows))
    } else {
        // The first model that did not answer, explained: the others usually fail alike.
        let failing = rows
            .iter()
            .filter(|r| r.probe.as_ref().is_some_and(|p| !p.ok))
            .count();
        let first_failure = rows.iter().find_map(|row| {
            let failure = row.probe.as_ref()?.failure.as_ref()?;
            let attempt = Attempt::invoke(&clients, false, row.model_id(), None);
            Some(explain(failure, &attempt, config))
        });
        crate::render::models::render_human(
            config,
            &rows,
            args.all,
            first_failure.map(|e| (failing, e)),
        )
    };
    ModelsOutcome { text, exit_code: 0 }
}
