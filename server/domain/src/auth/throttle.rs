//! Failed sign-ins counted per key (`login:<id>` or `ip:<address>`) in the database, so limits
//! hold across restarts and across server instances.

use crate::{entities::login_throttle, AppError};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};

/// Failures within the window that lock a sign-in identifier.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures within the window that lock an address (a shared office or warnet has many users).
pub const ADDRESS_LIMIT: i32 = 30;
const WINDOW_MINUTES: i64 = 15;
const LOCK_MINUTES: i64 = 15;

pub async fn locked_minutes<C: ConnectionTrait>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let row = login_throttle::Entity::find_by_id(key.to_string()).one(db).await?;
    Ok(row.and_then(|r| r.locked_until).filter(|until| *until > now).map(|until| {
        let secs = (until - now).num_seconds();
        (secs + 59) / 60
    }))
}

pub async fn fail<C: ConnectionTrait>(db: &C, key: &str, now: DateTime<Utc>, limit: i32) -> Result<(), AppError> {
    let window = Duration::minutes(WINDOW_MINUTES);
    match login_throttle::Entity::find_by_id(key.to_string()).one(db).await? {
        None => {
            login_throttle::ActiveModel {
                key: Set(key.to_string()),
                failures: Set(1),
                window_started_at: Set(now),
                locked_until: Set(None),
            }
            .insert(db)
            .await?;
        }
        Some(row) => {
            let (failures, started) =
                if now - row.window_started_at > window { (1, now) } else { (row.failures + 1, row.window_started_at) };
            let locked = (failures >= limit).then(|| now + Duration::minutes(LOCK_MINUTES));
            let mut active = row.into_active_model();
            active.failures = Set(if locked.is_some() { 0 } else { failures });
            active.window_started_at = Set(if locked.is_some() { now } else { started });
            if locked.is_some() {
                active.locked_until = Set(locked);
            }
            active.update(db).await?;
        }
    }
    Ok(())
}

pub async fn reset<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_string()).exec(db).await?;
    Ok(())
}
