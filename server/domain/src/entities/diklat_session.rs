use sea_orm::entity::prelude::*;

/// A session (sesi) of a diklat. Date and times are local to Asia/Jakarta (WIB, UTC+7).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "diklat_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub diklat_id: i32,
    pub session_date: Date,
    pub starts_at: Time,
    pub ends_at: Time,
    pub title: String,
    pub module_id: Option<i32>,
    pub narasumber_id: Option<i32>,
    pub room: String,
    pub jp: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
