use sea_orm::entity::prelude::*;

/// A module's pre-test or post-test settings (per diklat when `diklat_id` is set).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quizzes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub module_id: i32,
    /// pre or post
    pub kind: types::Phase,
    pub diklat_id: Option<i32>,
    pub question_count: i32,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub pass_mark: i32,
    pub max_attempts: i32,
    pub time_limit_seconds: Option<i32>,
    pub grading_method: String,
    /// After submission, show each question's correct answer and explanation.
    pub show_review: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
