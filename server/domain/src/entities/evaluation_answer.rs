use sea_orm::entity::prelude::*;

/// One submitted form's answers, with no person and no time, under a random id.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub diklat_id: i32,
    pub form_id: String,
    pub form_version: i32,
    /// The session rated (0 for a form about the whole diklat).
    pub session_id: i32,
    /// The narasumber rated, as the session named them when the form was sent.
    pub narasumber_id: Option<i32>,
    /// Sent after the evaluation closed: counted for the completion rule, not in the figures.
    pub late: bool,
    /// `{"question id": 3 | "open answer", ...}`
    pub answers: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
