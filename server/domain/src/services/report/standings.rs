//! Keeping the `standings` summary fresh: a diklat's rows rewritten when it was marked stale
//! (`services::stale`).

use crate::{
    entities::{diklat, standing, standing_grade},
    services::certificates,
    AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};

use crate::services::sql::stmt;

/// Rewrites one diklat's standings. The stale mark is cleared *before* reading, so a change
/// made while this runs marks it again rather than being lost.
pub async fn refresh<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<usize, AppError> {
    let backend = write.get_database_backend();
    write
        .execute_raw(stmt(backend, "UPDATE diklat SET standings_stale = FALSE WHERE id = ?", vec![d.id.into()]))
        .await?;
    let result = rewrite(read, write, d, modules).await;
    if result.is_err() {
        crate::services::stale::mark_stale(write, d.id).await.ok();
    }
    result
}

pub(super) async fn rewrite<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<usize, AppError> {
    let rows = certificates::standings(read, d, modules).await?;
    let places = crate::services::people::places_of(read, rows.iter().filter_map(|s| s.cooperative_id)).await?;
    let mut standing_rows = Vec::with_capacity(rows.len());
    let mut grade_rows = Vec::new();
    for s in &rows {
        // Someone without a KKMP has no place in a regional report.
        let Some(at) = s.cooperative_id.and_then(|id| places.get(&id)) else { continue };
        let (cooperative_id, village_id) = (at.cooperative.id, at.village.id);
        let (district_id, regency_id, province_id) = (at.district.id, at.regency.id, at.regency.province_id);
        let mean = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        standing_rows.push(standing::ActiveModel {
            diklat_id: sea_orm::Set(d.id),
            person_id: sea_orm::Set(s.person_id),
            cooperative_id: sea_orm::Set(cooperative_id),
            village_id: sea_orm::Set(village_id),
            district_id: sea_orm::Set(district_id),
            regency_id: sea_orm::Set(regency_id),
            province_id: sea_orm::Set(province_id),
            position: sea_orm::Set(s.position),
            sessions: sea_orm::Set(s.sessions as i32),
            present: sea_orm::Set(s.present as i32),
            attendance_ok: sea_orm::Set(s.attendance_ok),
            posts_passed: sea_orm::Set(s.post_missing.is_empty()),
            eligible: sea_orm::Set(s.eligible()),
            pre_mean: sea_orm::Set(mean(s.grades.iter().filter_map(|g| g.pre).collect())),
            post_mean: sea_orm::Set(mean(s.grades.iter().filter_map(|g| g.post).collect())),
        });
        for g in s.grades.iter().filter(|g| g.pre.is_some() || g.post.is_some()) {
            grade_rows.push(standing_grade::ActiveModel {
                diklat_id: sea_orm::Set(d.id),
                person_id: sea_orm::Set(s.person_id),
                module_id: sea_orm::Set(g.module_id),
                pre: sea_orm::Set(g.pre),
                post: sea_orm::Set(g.post),
            });
        }
    }
    let count = standing_rows.len();
    let backend = write.get_database_backend();
    let txn = write.begin().await?;
    // Two refreshes of one diklat (the background task and a page) take turns on its row; the
    // second then deletes what the first wrote instead of colliding with it.
    txn.execute_raw(stmt(
        backend,
        "UPDATE diklat SET standings_stale = standings_stale WHERE id = ?",
        vec![d.id.into()],
    ))
    .await?;
    standing::Entity::delete_many().filter(standing::Column::DiklatId.eq(d.id)).exec(&txn).await?;
    standing_grade::Entity::delete_many().filter(standing_grade::Column::DiklatId.eq(d.id)).exec(&txn).await?;
    // Chunks stay under SQLite's limit of bound parameters per statement.
    let mut rest = standing_rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(500));
        standing::Entity::insert_many(rest).exec_without_returning(&txn).await?;
        rest = tail;
    }
    let mut rest = grade_rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(1000));
        standing_grade::Entity::insert_many(rest).exec_without_returning(&txn).await?;
        rest = tail;
    }
    txn.commit().await?;
    Ok(count)
}

/// Refreshes the diklat marked stale (at most `limit` of them); returns how many were refreshed.
pub async fn refresh_stale<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    modules: &[(i32, String)],
    limit: Option<u64>,
) -> Result<usize, AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let stale = diklat::Entity::find()
        .filter(sea_orm::sea_query::Expr::cust("standings_stale = TRUE"))
        .order_by_asc(diklat::Column::Id)
        .limit(limit)
        .all(read)
        .await?;
    for d in &stale {
        refresh(read, write, d, modules).await?;
    }
    Ok(stale.len())
}
