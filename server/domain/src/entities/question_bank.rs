use sea_orm::entity::prelude::*;

/// A version of a module's question bank, as loaded from content.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "question_banks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub module_id: i32,
    pub source_path: String,
    pub content_hash: String,
    pub version: String,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
