//! Learning: pre- and post-test means and gains per module or per child area.

use crate::AppError;
use sea_orm::ConnectionTrait;

use super::{
    area::Area,
    filter::{conditions, Filter},
};
use crate::services::sql::stmt;

#[derive(Clone, Debug, PartialEq)]
pub struct LearningRow {
    /// A module id, or a child area's id.
    pub id: i32,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    /// Mean of (post − pre) over those who took both.
    pub gain: Option<f64>,
    /// How many post-test grades the means cover.
    pub takers: i64,
}

pub(super) async fn learning_by<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
    group: &str,
) -> Result<Vec<LearningRow>, AppError> {
    let (cond, values) = conditions(area, filter, true);
    let sql = format!(
        "SELECT {group} AS id, AVG(g.pre) AS pre, AVG(g.post) AS post, AVG(g.post - g.pre) AS gain, \
           COUNT(g.post) AS takers \
         FROM standing_grades g JOIN standings s ON s.diklat_id = g.diklat_id AND s.person_id = g.person_id \
         WHERE {cond} GROUP BY {group} ORDER BY {group}"
    );
    let mut out = Vec::new();
    for row in db.query_all_raw(stmt(db.get_database_backend(), &sql, values)).await? {
        out.push(LearningRow {
            id: row.try_get("", "id")?,
            pre: row.try_get("", "pre")?,
            post: row.try_get("", "post")?,
            gain: row.try_get("", "gain")?,
            takers: row.try_get("", "takers")?,
        });
    }
    Ok(out)
}

/// Mean pre/post grades and gain per module.
pub async fn learning_per_module<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
) -> Result<Vec<LearningRow>, AppError> {
    learning_by(db, area, filter, "g.module_id").await
}

/// Mean pre/post grades and gain per child area (over every module).
pub async fn learning_per_child<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
) -> Result<Vec<LearningRow>, AppError> {
    learning_by(db, area, filter, &format!("s.{}", area.child_column())).await
}
