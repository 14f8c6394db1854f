use sea_orm::entity::prelude::*;

/// One question of a bank version. `data` holds the options and the key as JSON.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub bank_id: i32,
    pub ext_id: String,
    pub kind: String,
    pub body: String,
    pub data: String,
    pub explanation: Option<String>,
    pub sort_order: i32,
    /// The objective it measures (1-based index of the module's objectives), when tagged.
    pub objective: Option<i32>,
    /// The `##` section of the module it comes from, by anchor.
    pub section: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
