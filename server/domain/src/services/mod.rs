//! Domain services. Each takes `&C where C: ConnectionTrait`, so it runs on a pool or inside a
//! transaction, and is the one place its query is written.

pub mod attendance;
pub mod audit;
pub mod certificates;
pub mod clock;
pub mod evaluation;
pub mod export;
pub mod health;
pub mod import;
pub mod modules;
pub mod people;
pub mod progress;
pub mod quiz_report;
pub mod quizzes;
pub mod regions;
pub mod report;
pub mod roles;
pub mod schedule;
mod sql;
pub mod stale;
pub mod status;
pub mod windows;
pub mod zip_jobs;
