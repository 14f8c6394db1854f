//! The whole Diklat KKMP schema, as sea-orm migrations that run on SQLite and PostgreSQL.
//!
//! The first six migrations create every table; later ones add columns and indexes as
//! features need them.
//! Start-up runs [`Migrator::up`]; every migration is exercised on both databases by the
//! server's integration tests.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20251013_000001_create_regions;
mod m20251013_000002_create_people_accounts;
mod m20251013_000003_create_modules_diklat;
mod m20251013_000004_create_quizzes;
mod m20251013_000005_create_certificates_audit;
mod m20251013_000006_seed_kota_malang;
mod m20261128_000007_add_present_statuses;
mod m20261130_000008_quiz_show_review;
mod m20261130_000009_create_standings;
mod m20261207_000010_throttle_pending;
pub mod m20261207_000011_certification_rules;
mod m20261207_000012_evaluations;
mod m20261208_000013_zip_jobs;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20251013_000001_create_regions::Migration),
            Box::new(m20251013_000002_create_people_accounts::Migration),
            Box::new(m20251013_000003_create_modules_diklat::Migration),
            Box::new(m20251013_000004_create_quizzes::Migration),
            Box::new(m20251013_000005_create_certificates_audit::Migration),
            Box::new(m20251013_000006_seed_kota_malang::Migration),
            Box::new(m20261128_000007_add_present_statuses::Migration),
            Box::new(m20261130_000008_quiz_show_review::Migration),
            Box::new(m20261130_000009_create_standings::Migration),
            Box::new(m20261207_000010_throttle_pending::Migration),
            Box::new(m20261207_000011_certification_rules::Migration),
            Box::new(m20261207_000012_evaluations::Migration),
            Box::new(m20261208_000013_zip_jobs::Migration),
        ]
    }
}

/// Name of the newest migration this binary knows: what `/healthz` expects the database to be at.
pub fn latest_migration_name() -> String {
    Migrator::migrations().last().map(|m| m.name().to_string()).unwrap_or_default()
}
