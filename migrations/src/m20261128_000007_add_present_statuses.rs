//! Which attendance statuses count as present is part of a diklat's completion rule.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("diklat")
                    // Comma-separated status codes; H (hadir) and T (terlambat) by default.
                    .add_column(ColumnDef::new("present_statuses").string().not_null().default("H,T"))
                    .to_owned(),
            )
            .await?;
        // The projector and check-in look up a session's open window.
        manager
            .create_index(
                Index::create()
                    .name("ix_checkin_windows_closed_at")
                    .table("checkin_windows")
                    .col("closed_at")
                    .col("closes_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_checkin_windows_closed_at").table("checkin_windows").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("diklat").drop_column("present_statuses").to_owned()).await
    }
}
