use sea_orm::entity::prelude::*;

/// A replaced attendance value, as it was.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub attendance_id: i64,
    pub status: types::Attendance,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub source: types::MarkSource,
    pub marked_by: Option<i32>,
    pub marked_at: DateTimeUtc,
    pub version: i32,
    pub replaced_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
