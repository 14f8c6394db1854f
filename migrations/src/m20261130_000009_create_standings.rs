//! Where each enrolled participant stands, kept as a summary for the officials' reports.
//!
//! The completion rule is computed in Rust (`certificates::standings`); the dashboard needs its
//! result for every participant of a region at once, which at national scale (800,000 people,
//! 10 million attendance rows) cannot be recomputed per request. So each diklat's standings are
//! written here when something they depend on changes (the diklat is marked `standings_stale`),
//! with the participant's region copied in, so reports aggregate with one indexed scan and no
//! joins through the region tables.

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
                .table("standings")
                .col(integer("diklat_id"))
                .col(integer("person_id"))
                .col(integer("cooperative_id"))
                .col(integer("village_id"))
                .col(integer("district_id"))
                .col(integer("regency_id"))
                .col(integer("province_id"))
                .col(string_null("position"))
                .col(integer("sessions"))
                .col(integer("present"))
                .col(boolean("attendance_ok"))
                .col(boolean("posts_passed"))
                .col(boolean("eligible"))
                .col(double_null("pre_mean"))
                .col(double_null("post_mean"))
                .primary_key(Index::create().col("diklat_id").col("person_id"))
                .to_owned(),
            vec![
                index("standings", &["province_id", "regency_id"], false),
                index("standings", &["regency_id", "district_id"], false),
                index("standings", &["district_id", "village_id"], false),
                index("standings", &["cooperative_id"], false),
                index("standings", &["person_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("standing_grades")
                .col(integer("diklat_id"))
                .col(integer("person_id"))
                .col(integer("module_id"))
                .col(double_null("pre"))
                .col(double_null("post"))
                .primary_key(Index::create().col("diklat_id").col("person_id").col("module_id"))
                .to_owned(),
            vec![index("standing_grades", &["diklat_id", "module_id"], false)],
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("diklat")
                    // True until the standings above reflect the diklat; set again by every change.
                    .add_column(ColumnDef::new("standings_stale").boolean().not_null().default(true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("diklat", &["standings_stale"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_diklat_standings_stale").table("diklat").to_owned()).await?;
        manager.alter_table(Table::alter().table("diklat").drop_column("standings_stale").to_owned()).await?;
        drop_all(manager, &["standing_grades", "standings"]).await
    }
}
