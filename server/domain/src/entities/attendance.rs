use sea_orm::entity::prelude::*;

/// One person's attendance at one session: H, T, I, S or A. Every change bumps `version` and
/// copies the replaced value into `attendance_history`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub diklat_session_id: i32,
    pub person_id: i32,
    pub status: types::Attendance,
    pub note: Option<String>,
    pub reason: Option<String>,
    /// panitia, checkin, paper or import
    pub source: types::MarkSource,
    pub marked_by: Option<i32>,
    pub marked_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
