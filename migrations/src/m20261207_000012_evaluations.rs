//! Evaluation of a diklat by its participants (`content/evaluasi/*.toml` defines the forms):
//! - `evaluation_settings`: which forms a diklat asks for, and whether its certificates wait for
//!   them;
//! - `evaluation_responders`: who has submitted which form (for the completion rule and
//!   reminders), with no answer and no time;
//! - `evaluation_drafts`: a participant's unsent answers, deleted when they submit;
//! - `evaluation_answers`: submitted answers with no person and no time, under a random id, so no
//!   query can line them up with the responders (by id order, by time or by anything else); the
//!   narasumber rated, and whether it came after the evaluation closed.

use crate::common::{create, drop_all, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            Table::create()
                .table("evaluation_settings")
                .col(integer("diklat_id").primary_key())
                // Form ids, comma-separated, as in content/evaluasi.
                .col(text("forms"))
                .col(boolean("required"))
                .to_owned(),
            vec![],
        )
        .await?;
        // `session_id` 0 stands for "the whole diklat" (a form with scope = "diklat").
        let key = || Index::create().col("person_id").col("diklat_id").col("form_id").col("session_id").to_owned();
        create(
            manager,
            Table::create()
                .table("evaluation_responders")
                .col(integer("person_id"))
                .col(integer("diklat_id"))
                .col(string_len("form_id", 40))
                .col(integer("session_id"))
                .primary_key(&mut key())
                .to_owned(),
            vec![index("evaluation_responders", &["diklat_id", "form_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("evaluation_drafts")
                .col(integer("person_id"))
                .col(integer("diklat_id"))
                .col(string_len("form_id", 40))
                .col(integer("session_id"))
                .col(text("answers"))
                .primary_key(&mut key())
                .to_owned(),
            vec![],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("evaluation_answers")
                .col(big_integer("id").primary_key())
                .col(integer("diklat_id"))
                .col(string_len("form_id", 40))
                .col(integer("form_version"))
                .col(integer("session_id"))
                // The narasumber rated, as the session named them when the form was sent: a later
                // change of the session's speaker does not move the answer.
                .col(integer_null("narasumber_id"))
                // Sent after the evaluation closed (for the completion rule only): left out of the
                // figures, which are published once, at the close, and never change afterwards.
                .col(boolean("late"))
                // {"question id": 3 | "open answer", ...}
                .col(text("answers"))
                .to_owned(),
            vec![
                index("evaluation_answers", &["diklat_id", "form_id"], false),
                index("evaluation_answers", &["session_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["evaluation_answers", "evaluation_drafts", "evaluation_responders", "evaluation_settings"])
            .await
    }
}
