//! One integration-test binary (the AWS SDK makes every extra test binary slow to link).

mod support;

mod bearer_keys;
mod cli;
mod client;
mod client_model;
mod completions;
mod diagnosis;
mod documents;
mod evidence;
mod fix;
mod hardening;
mod install;
mod layering;
pub mod live;
mod mantle;
mod matrix;
mod models;
mod network;
mod no_secrets;
mod observed;
mod policy;
mod pty;
pub mod real_client;
mod region;
mod rehearsal;
mod relay;
mod reports;
mod roles;
mod schema;
mod setup;
mod snapshots;
pub(crate) mod sso;
mod wizard;
