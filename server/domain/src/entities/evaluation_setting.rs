use sea_orm::entity::prelude::*;

/// Which evaluation forms a diklat asks for, and whether its certificates wait for them.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub diklat_id: i32,
    /// Form ids, comma-separated.
    pub forms: String,
    pub required: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
