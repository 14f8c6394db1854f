use sea_orm::entity::prelude::*;

/// A participant's unsent answers to a form, as JSON; deleted when they submit.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub diklat_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub form_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: i32,
    pub answers: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
