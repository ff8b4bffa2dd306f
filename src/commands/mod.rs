pub mod doctor;
pub mod fix;
pub mod models;
pub mod policy;
pub mod setup;
