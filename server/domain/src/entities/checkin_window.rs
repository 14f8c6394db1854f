use sea_orm::entity::prelude::*;

/// A period in which peserta may check themselves in to a session with the rotating code.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checkin_windows")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub diklat_session_id: i32,
    pub opened_by: Option<i32>,
    pub opened_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub late_after_minutes: i32,
    pub rotation_seconds: i32,
    pub grace_seconds: i32,
    pub salt: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
