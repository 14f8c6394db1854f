//! Marking the officials' summary (`standings`) as needing a refresh: called by every service
//! that changes attendance, sessions, enrolment, the rule, quiz results or a participant's KKMP,
//! and read by `report::refresh`. A leaf: it depends on no other service.

use super::sql::stmt;
use crate::AppError;
use sea_orm::ConnectionTrait;

/// Marks a diklat's standings as needing a refresh (cheap when already marked).
pub async fn mark_stale<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    db.execute_raw(stmt(
        backend,
        "UPDATE diklat SET standings_stale = TRUE WHERE id = ? AND standings_stale = FALSE",
        vec![diklat_id.into()],
    ))
    .await?;
    Ok(())
}

/// Marks every diklat (after a quiz's pass mark or the content changed).
pub async fn mark_all_stale<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    db.execute_unprepared("UPDATE diklat SET standings_stale = TRUE WHERE standings_stale = FALSE").await?;
    Ok(())
}

/// Marks every diklat the person is enrolled in (after a quiz result or a change of their KKMP).
pub async fn mark_stale_for_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<(), AppError> {
    let backend = db.get_database_backend();
    db.execute_raw(stmt(
        backend,
        "UPDATE diklat SET standings_stale = TRUE WHERE standings_stale = FALSE \
         AND id IN (SELECT diklat_id FROM enrolments WHERE person_id = ?)",
        vec![person_id.into()],
    ))
    .await?;
    Ok(())
}
