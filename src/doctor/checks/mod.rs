//! The verdicts: each check is a pure function of the effective configuration and the facts
//! gathered once (`crate::doctor::facts`), one file per family. None does I/O, so one fact feeds
//! many checks and one cause is named once.

pub mod auth;
pub mod client;
pub mod iam;
pub mod mantle;
pub mod models;
pub mod network;
pub mod pinned;
pub mod provider;
pub mod region;
pub mod rehearsal;
pub mod settings;
pub mod sso;
