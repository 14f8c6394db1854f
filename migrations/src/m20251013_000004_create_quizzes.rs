//! Question banks loaded from content, quiz settings (pre/post per module, optionally per
//! diklat), attempts that live on the server, and their answers.

use crate::common::{create, drop_all, fk, index, one_of};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            Table::create()
                .table("question_banks")
                .col(pk_auto("id"))
                .col(integer("module_id"))
                .col(string("source_path"))
                .col(string("content_hash"))
                .col(string("version"))
                .col(timestamp_with_time_zone("loaded_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("question_banks", "module_id", "modules", false))
                .to_owned(),
            vec![index("question_banks", &["module_id", "content_hash"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("questions")
                .col(pk_auto("id"))
                .col(integer("bank_id"))
                // The question's id inside its bank file.
                .col(string("ext_id"))
                .col(string("kind").check(one_of("kind", &["single", "multiple", "true_false", "short", "numeric"])))
                .col(text("body"))
                // Options, correct answers, fractions, tolerances: JSON.
                .col(text("data"))
                .col(text_null("explanation"))
                .col(integer("sort_order").default(0))
                .foreign_key(&mut fk("questions", "bank_id", "question_banks", false))
                .to_owned(),
            vec![index("questions", &["bank_id", "ext_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("quizzes")
                .col(pk_auto("id"))
                .col(integer("module_id"))
                .col(string("kind").check(one_of("kind", &["pre", "post"])))
                // NULL: the module's default quiz; otherwise this diklat's own settings.
                .col(integer_null("diklat_id"))
                .col(integer("question_count").default(10))
                .col(boolean("shuffle_questions").default(true))
                .col(boolean("shuffle_options").default(true))
                .col(integer("pass_mark").default(70))
                .col(integer("max_attempts").default(3))
                .col(integer_null("time_limit_seconds"))
                .col(
                    string("grading_method")
                        .default("highest")
                        .check(one_of("grading_method", &["highest", "last", "first", "average"])),
                )
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .check(Expr::col("pass_mark").between(0, 100))
                .check(Expr::col("max_attempts").gte(1))
                .foreign_key(&mut fk("quizzes", "module_id", "modules", false))
                .foreign_key(&mut fk("quizzes", "diklat_id", "diklat", false))
                .to_owned(),
            vec![index("quizzes", &["module_id", "kind", "diklat_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("attempts")
                .col(big_pk_auto("id"))
                .col(integer("quiz_id"))
                .col(integer("person_id"))
                .col(integer("attempt_no"))
                .col(integer("bank_id"))
                // Set by the server clock; the deadline is derived from it, never from the client.
                .col(timestamp_with_time_zone("started_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null("deadline_at"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(
                    string("status")
                        .default("in_progress")
                        .check(one_of("status", &["in_progress", "submitted", "expired"])),
                )
                // 0–100.
                .col(double_null("score"))
                .col(boolean_null("passed"))
                // The drawn questions and option orders, JSON.
                .col(text("layout"))
                .foreign_key(&mut fk("attempts", "quiz_id", "quizzes", false))
                .foreign_key(&mut fk("attempts", "person_id", "people", false))
                .foreign_key(&mut fk("attempts", "bank_id", "question_banks", false))
                .to_owned(),
            vec![
                index("attempts", &["quiz_id", "person_id", "attempt_no"], true),
                index("attempts", &["person_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("attempt_answers")
                .col(big_pk_auto("id"))
                .col(big_integer("attempt_id"))
                .col(integer("question_id"))
                // The participant's response, JSON.
                .col(text("response"))
                // Credit earned, 0.0–1.0, once graded.
                .col(double_null("fraction"))
                .col(timestamp_with_time_zone("saved_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("attempt_answers", "attempt_id", "attempts", true))
                .foreign_key(&mut fk("attempt_answers", "question_id", "questions", false))
                .to_owned(),
            vec![index("attempt_answers", &["attempt_id", "question_id"], true)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["attempt_answers", "attempts", "quizzes", "questions", "question_banks"]).await
    }
}
