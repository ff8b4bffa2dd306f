//! One integration-test binary (the AWS SDK makes every extra test binary slow to link).

mod support;

mod bearer_keys;
mod cli;
mod layering;
pub mod live;
mod models;
mod no_secrets;
mod region;
mod schema;
