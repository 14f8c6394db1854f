//! Background ZIP downloads (all certificates of a diklat or a kelurahan), kept in the database
//! so that any instance answers for any job. The instance that builds a ZIP reports its progress
//! with a heartbeat ([`report`]) and writes the finished file ([`finish`]); the progress page and
//! the download read the row from wherever they land. A job whose heartbeat has stopped — its
//! instance was stopped or died — reads as failed instead of waiting forever. Rows live for
//! [`KEEP`]; each new job removes the expired ones. A leaf: it depends on no other service.

use crate::{entities::zip_job, AppError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set,
};
use types::Text;

/// How long a job, and its finished ZIP, stays readable.
pub const KEEP: TimeDelta = TimeDelta::hours(1);
/// How often the building instance writes its heartbeat.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(2);
/// A job not heard from for this long has lost the instance building it. Generous: on SQLite the
/// heartbeat waits for the one write connection, which a long import may hold for a while.
pub const STALE: TimeDelta = TimeDelta::minutes(2);

/// What a new job is.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub owner_account_id: i32,
    pub title: String,
    pub file_name: String,
    /// Where the progress page links back to.
    pub back: String,
    /// How many certificates go in.
    pub total: usize,
}

/// How far a job has come, as its owner sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub title: String,
    pub back: String,
    pub done: usize,
    pub total: usize,
    pub finished: bool,
    pub error: Option<Text>,
}

/// Registers a job for `job.owner_account_id` and returns its unguessable id (128 random bits,
/// hex); expired jobs are removed on the way.
pub async fn start<C: ConnectionTrait>(db: &C, job: NewJob, now: DateTime<Utc>) -> Result<String, AppError> {
    use rand::RngCore;
    zip_job::Entity::delete_many().filter(zip_job::Column::StartedAt.lt(now - KEEP)).exec(db).await?;
    let mut raw = [0u8; 16];
    rand::rng().fill_bytes(&mut raw);
    let id = hex::encode(raw);
    zip_job::ActiveModel {
        id: Set(id.clone()),
        owner_account_id: Set(job.owner_account_id),
        title: Set(job.title),
        file_name: Set(job.file_name),
        back: Set(job.back),
        total: Set(i32::try_from(job.total).unwrap_or(i32::MAX)),
        done: Set(0),
        error: Set(None),
        bytes: Set(None),
        started_at: Set(now),
        heartbeat_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// The building instance is alive and has put `done` certificates in.
pub async fn report<C: ConnectionTrait>(db: &C, id: &str, done: usize, now: DateTime<Utc>) -> Result<(), AppError> {
    zip_job::Entity::update_many()
        .col_expr(zip_job::Column::Done, Expr::value(i32::try_from(done).unwrap_or(i32::MAX)))
        .col_expr(zip_job::Column::HeartbeatAt, Expr::value(now))
        .filter(zip_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The ZIP is built: stored, and the job done.
pub async fn finish<C: ConnectionTrait>(db: &C, id: &str, bytes: Vec<u8>, now: DateTime<Utc>) -> Result<(), AppError> {
    zip_job::Entity::update_many()
        .col_expr(zip_job::Column::Done, Expr::col(zip_job::Column::Total))
        .col_expr(zip_job::Column::Bytes, Expr::value(bytes))
        .col_expr(zip_job::Column::HeartbeatAt, Expr::value(now))
        .filter(zip_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The ZIP could not be built (`detail`: why, for the sentence the owner reads); no partial
/// file is offered.
pub async fn fail<C: ConnectionTrait>(db: &C, id: &str, detail: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    zip_job::Entity::update_many()
        .col_expr(zip_job::Column::Error, Expr::value(detail.to_string()))
        .col_expr(zip_job::Column::HeartbeatAt, Expr::value(now))
        .filter(zip_job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct ProgressRow {
    title: String,
    back: String,
    done: i32,
    total: i32,
    error: Option<String>,
    finished: bool,
    heartbeat_at: DateTime<Utc>,
}

/// The job `id` if `account` asked for it and it has not expired; nobody else's. The ZIP's bytes
/// are not read.
pub async fn progress<C: ConnectionTrait>(
    db: &C,
    id: &str,
    account: i32,
    now: DateTime<Utc>,
) -> Result<Option<Progress>, AppError> {
    use zip_job::Column as C;
    let row = zip_job::Entity::find()
        .select_only()
        .columns([C::Title, C::Back, C::Done, C::Total, C::Error, C::HeartbeatAt])
        .column_as(Expr::col(C::Bytes).is_not_null(), "finished")
        .filter(C::Id.eq(id))
        .filter(C::OwnerAccountId.eq(account))
        .filter(C::StartedAt.gte(now - KEEP))
        .into_model::<ProgressRow>()
        .one(db)
        .await?;
    Ok(row.map(|r| {
        let error = match (&r.error, r.finished) {
            (Some(detail), _) => Some(Text::new(
                format!("ZIP gagal dibuat: {detail}. Silakan coba lagi; bila berulang, hubungi admin."),
                format!(
                    "The ZIP could not be built: {detail}. Please try again; if it happens again, contact the admin."
                ),
            )),
            (None, false) if now - r.heartbeat_at > STALE => Some(Text::new(
                "Server yang membuat ZIP ini berhenti sebelum selesai. Silakan buat ZIP lagi.",
                "The server building this ZIP stopped before it finished. Please build the ZIP again.",
            )),
            _ => None,
        };
        Progress {
            title: r.title,
            back: r.back,
            done: usize::try_from(r.done).unwrap_or(0),
            total: usize::try_from(r.total).unwrap_or(0),
            finished: r.finished && r.error.is_none(),
            error,
        }
    }))
}

/// The finished ZIP `id` as (file name, bytes), for the account that asked for it.
pub async fn download<C: ConnectionTrait>(
    db: &C,
    id: &str,
    account: i32,
    now: DateTime<Utc>,
) -> Result<Option<(String, Vec<u8>)>, AppError> {
    let job = zip_job::Entity::find_by_id(id)
        .filter(zip_job::Column::OwnerAccountId.eq(account))
        .filter(zip_job::Column::StartedAt.gte(now - KEEP))
        .filter(zip_job::Column::Error.is_null())
        .one(db)
        .await?;
    Ok(job.and_then(|j| j.bytes.map(|bytes| (j.file_name, bytes))))
}
