//! Attempts counted before they are checked: a reserved attempt is `pending` until its answer
//! turns it into a failure or gives it back (see `domain::auth::throttle`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("login_throttles")
                    .add_column(ColumnDef::new("pending").integer().not_null().default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("login_throttles").drop_column("pending").to_owned()).await
    }
}
