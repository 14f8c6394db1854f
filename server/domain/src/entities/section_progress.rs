use sea_orm::entity::prelude::*;

/// One section a person has read, by the section's anchor (which survives edits that keep the heading).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "section_progress")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i32,
    pub module_id: i32,
    pub section_anchor: String,
    pub read_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
