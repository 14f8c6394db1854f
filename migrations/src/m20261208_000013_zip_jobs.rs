//! Background ZIP downloads, kept in the database: the instance that builds a ZIP writes its
//! progress and heartbeat here and the finished file with them, so the progress page and the
//! download work from any instance behind the load balancer. A job whose heartbeat stops (its
//! instance died) reads as failed. Rows live for an hour; each new job removes the expired ones.

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
                .table("zip_jobs")
                .col(string_len("id", 32).primary_key())
                .col(integer("owner_account_id"))
                .col(string("title"))
                .col(string("file_name"))
                .col(string("back"))
                .col(integer("total"))
                .col(integer("done").default(0))
                .col(text_null("error"))
                .col(blob_null("bytes"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone("heartbeat_at"))
                .to_owned(),
            vec![index("zip_jobs", &["started_at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["zip_jobs"]).await
    }
}
