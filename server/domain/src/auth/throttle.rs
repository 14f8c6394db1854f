//! Limits on guessing and on request rates, counted in the database so they hold across
//! restarts and across server instances sharing one database.
//!
//! A guess (a password, a one-time code, a check-in code) is **counted before it is checked**:
//! [`begin`] reserves one attempt for a key in a transaction that holds the key's row, and
//! refuses once the failures plus the attempts still being checked reach the limit. The answer
//! then settles it: [`Attempt::failed`] turns the reservation into a failure (locking the key
//! when the failures reach the limit), [`Attempt::succeeded`] gives it back. Checking first and
//! counting afterwards let 150 parallel sign-ins all pass the check before the first failure was
//! counted (outside testing, 2026-12): the reservation is what makes a burst wait its turn.
//!
//! Request rates (the verification API) use [`hit`]: one atomic upsert per request on a key
//! that names the minute, so there is nothing to settle.

use crate::{entities::login_throttle, AppError};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

/// How many failures a key may have within `window` before it is locked for `lock`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: i32,
    pub window: Duration,
    pub lock: Duration,
}

impl Limit {
    const fn minutes(max: i32, window: i64, lock: i64) -> Limit {
        Limit { max, window: Duration::minutes(window), lock: Duration::minutes(lock) }
    }
}

/// Wrong passwords for one sign-in identifier.
pub const ACCOUNT: Limit = Limit::minutes(5, 15, 15);
/// Wrong passwords from one address (a shared office or warnet has many users).
pub const ADDRESS: Limit = Limit::minutes(30, 15, 15);
/// Wrong one-time codes from one address.
pub const CODES: Limit = Limit::minutes(10, 15, 15);
/// Wrong current passwords when a signed-in person changes theirs.
pub const PASSWORD_CHECK: Limit = Limit::minutes(5, 15, 15);
/// Wrong check-in codes per account.
pub const CHECK_IN: Limit = Limit::minutes(10, 10, 10);

/// Why an attempt was not even checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures: locked for this many more minutes.
    Locked { minutes: i64 },
    /// As many attempts as the limit allows are being checked right now; one of them may still
    /// succeed, so this is not (yet) a lock. Try again in a moment.
    Busy,
}

impl Refused {
    /// Minutes to wait, for messages ("coba lagi dalam N menit"); a busy key says one.
    pub fn minutes(self) -> i64 {
        match self {
            Refused::Locked { minutes } => minutes,
            Refused::Busy => 1,
        }
    }
}

/// One reserved attempt for a key; settle it with [`Attempt::failed`] or [`Attempt::succeeded`].
/// A reservation never settled (the process died while checking) expires with the key's window.
#[must_use = "an attempt must be settled, or it counts against the key until its window ends"]
#[derive(Debug)]
pub struct Attempt {
    key: String,
    limit: Limit,
}

fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    ((until - now).num_seconds() + 59).div_euclid(60).max(1)
}

/// Runs `change` on the row of `key` inside a transaction that holds that row (PostgreSQL:
/// `SELECT … FOR UPDATE`; SQLite: every write goes through the single writer connection, so the
/// transaction already runs alone), creating the row first when it is missing.
async fn with_row<C, T>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut login_throttle::Model) -> T,
) -> Result<T, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(0),
        pending: Set(0),
        window_started_at: Set(now),
        locked_until: Set(None),
    })
    .on_conflict(OnConflict::column(login_throttle::Column::Key).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    let row = login_throttle::Entity::find_by_id(key.to_string())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::Internal(format!("throttle row {key} vanished")))?;
    let mut changed = row.clone();
    let out = change(&mut changed);
    if changed != row {
        let mut active = row.into_active_model();
        active.failures = Set(changed.failures);
        active.pending = Set(changed.pending);
        active.window_started_at = Set(changed.window_started_at);
        active.locked_until = Set(changed.locked_until);
        active.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Reserves one attempt for `key` under `limit`, or says why not. The reservation is part of the
/// count until it is settled.
pub async fn begin<C>(db: &C, key: &str, limit: Limit, now: DateTime<Utc>) -> Result<Result<Attempt, Refused>, AppError>
where
    C: ConnectionTrait + TransactionTrait,
{
    with_row(db, key, now, |row| {
        if let Some(until) = row.locked_until.filter(|until| *until > now) {
            return Err(Refused::Locked { minutes: minutes_until(until, now) });
        }
        if row.locked_until.is_some() || now - row.window_started_at > limit.window {
            // A lock that ended, or a window that ended, starts afresh (reservations left by a
            // process that died mid-check go with it).
            row.failures = 0;
            row.pending = 0;
            row.window_started_at = now;
            row.locked_until = None;
        }
        if row.failures >= limit.max {
            return Err(Refused::Locked { minutes: minutes_until(row.window_started_at + limit.window, now) });
        }
        if row.failures + row.pending >= limit.max {
            return Err(Refused::Busy);
        }
        row.pending += 1;
        Ok(Attempt { key: key.to_string(), limit })
    })
    .await
}

impl Attempt {
    /// The guess was wrong: it counts as a failure, and the failure that reaches the limit locks
    /// the key. Returns the lock's minutes when it is now locked.
    pub async fn failed<C>(self, db: &C, now: DateTime<Utc>) -> Result<Option<i64>, AppError>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let limit = self.limit;
        with_row(db, &self.key, now, |row| {
            if row.locked_until.is_some_and(|until| until > now) {
                row.pending = (row.pending - 1).max(0);
                return Some(minutes_until(row.locked_until.expect("checked"), now));
            }
            row.pending = (row.pending - 1).max(0);
            row.failures += 1;
            if row.failures >= limit.max {
                let until = now + limit.lock;
                row.locked_until = Some(until);
                row.failures = 0;
                row.window_started_at = now;
                Some(minutes_until(until, now))
            } else {
                None
            }
        })
        .await
    }

    /// The guess was right: the reservation no longer counts. With `forget_failures`, earlier
    /// failures go too (a correct password clears its account's count, not its address's).
    pub async fn succeeded<C>(self, db: &C, now: DateTime<Utc>, forget_failures: bool) -> Result<(), AppError>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        with_row(db, &self.key, now, |row| {
            row.pending = (row.pending - 1).max(0);
            if forget_failures && row.locked_until.is_none_or(|until| until <= now) {
                row.failures = 0;
                row.locked_until = None;
            }
        })
        .await
    }

    /// Neither right nor wrong (the request failed for another reason): give the reservation back.
    pub async fn cancelled<C>(self, db: &C, now: DateTime<Utc>) -> Result<(), AppError>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        self.succeeded(db, now, false).await
    }
}

/// Counts one request for `key` in the current minute and says whether it is within
/// `per_minute`; `Err(seconds)` to wait otherwise. One statement (an upsert that returns the new
/// count), so parallel requests are each counted exactly once.
pub async fn hit<C: ConnectionTrait>(
    db: &C,
    key: &str,
    per_minute: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), u64>, AppError> {
    let minute = now.timestamp().div_euclid(60);
    let window_start = DateTime::from_timestamp(minute * 60, 0).unwrap_or(now);
    let row = login_throttle::Entity::insert(login_throttle::ActiveModel {
        key: Set(format!("{key}@{minute}")),
        failures: Set(1),
        pending: Set(0),
        window_started_at: Set(window_start),
        locked_until: Set(None),
    })
    .on_conflict(
        OnConflict::column(login_throttle::Column::Key)
            .value(
                login_throttle::Column::Failures,
                sea_orm::sea_query::ExprTrait::add(
                    // Qualified: PostgreSQL refuses a bare column here as ambiguous with `excluded`.
                    Expr::col((login_throttle::Entity, login_throttle::Column::Failures)),
                    1,
                ),
            )
            .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    if i64::from(row.failures) > i64::from(per_minute) {
        Ok(Err((60 - now.timestamp().rem_euclid(60)).max(1) as u64))
    } else {
        Ok(Ok(()))
    }
}

/// Deletes counts that can no longer matter (windows and locks over a day old).
pub async fn purge<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<u64, AppError> {
    let day_ago = now - Duration::days(1);
    let gone = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(day_ago))
        .filter(
            sea_orm::Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lt(day_ago)),
        )
        .exec(db)
        .await?;
    Ok(gone.rows_affected)
}

/// Clears a key entirely (an admin unlocking an account, tests).
pub async fn reset<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), AppError> {
    login_throttle::Entity::delete_by_id(key.to_string()).exec(db).await?;
    Ok(())
}
