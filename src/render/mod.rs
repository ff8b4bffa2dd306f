//! Renderers: every document the tool prints — the doctor report, the configuration, the model
//! list, setup's summary — drawn for people or for machines. Nothing here decides anything.

pub mod config;
pub mod fix;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod models;
pub mod setup;
pub mod text;
