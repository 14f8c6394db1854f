use sea_orm::entity::prelude::*;

/// A module a diklat's completion rule requires (its post-test). When a diklat has none listed,
/// the modules of its sessions are required (`services::windows::modules_of`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "diklat_modules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub diklat_id: i32,
    pub module_id: i32,
    pub post_test_required: bool,
    pub sort_order: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
