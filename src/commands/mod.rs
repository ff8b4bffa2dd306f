pub mod doctor;
pub mod models;
pub mod policy;
pub mod setup;
