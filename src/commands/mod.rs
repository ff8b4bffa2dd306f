pub mod doctor;
pub mod models;
pub mod setup;
