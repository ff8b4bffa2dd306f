//! Renderers: the same report, drawn for people or for machines.

pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;
