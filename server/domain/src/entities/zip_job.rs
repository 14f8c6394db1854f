use sea_orm::entity::prelude::*;

/// A ZIP of certificates being built, or built within the hour (`services::zip_jobs`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "zip_jobs")]
pub struct Model {
    /// 128 random bits, hex: the link is the job's only name.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The account that asked for it: nobody else reads it.
    pub owner_account_id: i32,
    pub title: String,
    /// The file name offered on download.
    pub file_name: String,
    /// Where the progress page links back to.
    pub back: String,
    pub total: i32,
    pub done: i32,
    /// Why it failed (technical detail, for the sentence the page shows).
    pub error: Option<String>,
    /// The finished ZIP.
    pub bytes: Option<Vec<u8>>,
    pub started_at: DateTimeUtc,
    /// Written by the building instance every few seconds while it works.
    pub heartbeat_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
