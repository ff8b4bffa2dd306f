//! `setup`: the onboarding wizard and its scriptable twin. Gather (prompts or flags, plus the live
//! checks) → plan (pure: what changes in which file) → apply (the writer, the only thing that
//! writes).

pub mod flow;
pub mod outcome;
