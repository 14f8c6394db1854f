use sea_orm::entity::prelude::*;

/// One enrolled participant against their diklat's completion rule, with their region copied in
/// (a summary refreshed by `services::report`, never edited by hand).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "standings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub diklat_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
    pub cooperative_id: i32,
    pub village_id: i32,
    pub district_id: i32,
    pub regency_id: i32,
    pub province_id: i32,
    /// Copied from `people.position` (no CHECK here: a summary, rebuilt from people).
    pub position: Option<types::Jabatan>,
    pub sessions: i32,
    pub present: i32,
    pub attendance_ok: bool,
    pub posts_passed: bool,
    pub eligible: bool,
    pub pre_mean: Option<f64>,
    pub post_mean: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
