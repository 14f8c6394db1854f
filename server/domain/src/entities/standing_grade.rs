use sea_orm::entity::prelude::*;

/// A participant's counted pre-test and post-test grade in one module of a diklat (a summary
/// refreshed with `standings`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "standing_grades")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub diklat_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub module_id: i32,
    pub pre: Option<f64>,
    pub post: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
