use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "diklat")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub venue: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub total_jp: i32,
    pub status: types::DiklatStatus,
    pub province_id: Option<i32>,
    pub regency_id: Option<i32>,
    pub min_attendance_pct: i32,
    pub require_pretests: bool,
    pub certificate_prefix: String,
    pub next_certificate_seq: i32,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Comma-separated attendance statuses that count as present (default `H,T`).
    pub present_statuses: String,
    /// The last day a post-test counts for this diklat (`None`: the end + 14 days).
    pub tests_close_on: Option<Date>,
    /// An exception allowing certificates before the last session has ended: why, who, when.
    pub early_issue_reason: Option<String>,
    pub early_issue_by: Option<i32>,
    pub early_issue_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
