//! A certificate only for what happened:
//! - `attempts.diklat_id`: the enrolment (diklat) a pre-test or post-test was taken for; results
//!   count only for that diklat. Existing attempts are assigned to the diklat whose window they
//!   fall in (taken from 60 days before its start up to its closing date, for a module its sessions
//!   teach), so October 2025's results stay valid for the October diklat and no other;
//! - `diklat.tests_close_on`: the last day a post-test counts (existing diklat: end + 14 days);
//! - `diklat.early_issue_*`: a recorded exception allowing certificates before the last session ends;
//! - `certificates.confirmed_*`: a panitia's decision to keep a certificate whose holder no longer
//!   meets a changed rule (the standing it was confirmed against, who, when);
//! - `questions.objective` / `questions.section`: what a question measures (its `tujuan` and
//!   `bagian` in `soal.toml`), for parallel forms and the objectives a participant should study.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = |table: &'static str, column: ColumnDef| async move {
            manager.alter_table(Table::alter().table(table).add_column(column).to_owned()).await
        };
        add("attempts", ColumnDef::new("diklat_id").integer().null().to_owned()).await?;
        add("diklat", ColumnDef::new("tests_close_on").date().null().to_owned()).await?;
        add("diklat", ColumnDef::new("early_issue_reason").text().null().to_owned()).await?;
        add("diklat", ColumnDef::new("early_issue_by").integer().null().to_owned()).await?;
        add("diklat", ColumnDef::new("early_issue_at").timestamp_with_time_zone().null().to_owned()).await?;
        add("certificates", ColumnDef::new("confirmed_standing").text().null().to_owned()).await?;
        add("certificates", ColumnDef::new("confirmed_by").integer().null().to_owned()).await?;
        add("certificates", ColumnDef::new("confirmed_at").timestamp_with_time_zone().null().to_owned()).await?;
        add("questions", ColumnDef::new("objective").integer().null().to_owned()).await?;
        add("questions", ColumnDef::new("section").string().null().to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_attempts_diklat_id_quiz_id_person_id")
                    .table("attempts")
                    .col("diklat_id")
                    .col("quiz_id")
                    .col("person_id")
                    .to_owned(),
            )
            .await?;

        backfill(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_attempts_diklat_id_quiz_id_person_id").table("attempts").to_owned())
            .await?;
        for (table, column) in [
            ("attempts", "diklat_id"),
            ("diklat", "tests_close_on"),
            ("diklat", "early_issue_reason"),
            ("diklat", "early_issue_by"),
            ("diklat", "early_issue_at"),
            ("certificates", "confirmed_standing"),
            ("certificates", "confirmed_by"),
            ("certificates", "confirmed_at"),
            ("questions", "objective"),
            ("questions", "section"),
        ] {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

/// Fills what the new columns mean for data written before them: every diklat's closing day
/// (the last day + 14) and the diklat each earlier attempt was taken for. Only rows still empty
/// are touched, so it can run again. Public for the test that runs it on real rows.
pub async fn backfill<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    // Closing date: the end + 14 days.
    db.execute_unprepared(if sqlite {
        "UPDATE diklat SET tests_close_on = date(ends_on, '+14 days') WHERE tests_close_on IS NULL"
    } else {
        "UPDATE diklat SET tests_close_on = ends_on + 14 WHERE tests_close_on IS NULL"
    })
    .await?;
    // Each existing attempt to the diklat whose window holds it (the latest such diklat).
    // Dates are compared as UTC calendar days: the window has weeks of slack either side.
    let (day, from) = if sqlite {
        ("substr(attempts.started_at, 1, 10)", "date(d.starts_on, '-60 days')")
    } else {
        ("CAST(attempts.started_at AS date)", "d.starts_on - 60")
    };
    db.execute_unprepared(&format!(
        "UPDATE attempts SET diklat_id = (
            SELECT e.diklat_id FROM enrolments e
            JOIN diklat d ON d.id = e.diklat_id
            JOIN quizzes q ON q.id = attempts.quiz_id
            WHERE e.person_id = attempts.person_id
              AND EXISTS (SELECT 1 FROM diklat_sessions s WHERE s.diklat_id = d.id AND s.module_id = q.module_id)
              AND {day} >= {from}
              AND {day} <= d.tests_close_on
            ORDER BY d.starts_on DESC, d.id DESC
            LIMIT 1
        ) WHERE diklat_id IS NULL"
    ))
    .await?;
    Ok(())
}
