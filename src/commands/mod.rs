pub mod config;
pub mod doctor;
