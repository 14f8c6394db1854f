use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cooperatives")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub village_id: i32,
    pub name: String,
    pub registration_number: Option<String>,
    pub legal_entity_number: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::village::Entity", from = "Column::VillageId", to = "super::village::Column::Id")]
    Village,
}

impl Related<super::village::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Village.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
