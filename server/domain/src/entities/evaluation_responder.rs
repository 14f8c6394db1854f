use sea_orm::entity::prelude::*;

/// That a person has submitted a form (for a session, or the diklat when `session_id` is 0).
/// No answer and no time: what they answered is in `evaluation_answers`, which names nobody.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_responders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub diklat_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub form_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
