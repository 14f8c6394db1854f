use sea_orm::entity::prelude::*;

/// One attempt at a quiz. Times come from the server clock.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub quiz_id: i32,
    pub person_id: i32,
    pub attempt_no: i32,
    pub bank_id: i32,
    pub started_at: DateTimeUtc,
    pub deadline_at: Option<DateTimeUtc>,
    pub submitted_at: Option<DateTimeUtc>,
    /// in_progress, submitted or expired
    pub status: types::AttemptStatus,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    /// The drawn questions and option orders, JSON.
    pub layout: String,
    /// The diklat (enrolment) the attempt was taken for: it counts for that diklat only. `None`
    /// for results that belong to no diklat.
    pub diklat_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
