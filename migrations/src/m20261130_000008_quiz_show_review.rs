//! Whether a quiz shows its review (correct answers and explanations) after submission.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("quizzes")
                    // After submission: score and pass/fail always; the per-question review when true.
                    .add_column(ColumnDef::new("show_review").boolean().not_null().default(true))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("quizzes").drop_column("show_review").to_owned()).await
    }
}
