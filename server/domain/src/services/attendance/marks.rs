//! Marks by the panitia: the grid, "the rest present", a person's marks and history, rates.

use crate::{
    auth::{Caller, Scope},
    entities::{attendance, attendance_history, diklat, diklat_session},
    services::{audit, schedule},
    AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};

use super::{Source, Status};

/// A mark to record.
#[derive(Clone, Debug)]
pub struct Mark {
    pub person_id: i32,
    pub status: Status,
    pub note: Option<String>,
    pub reason: Option<String>,
    /// The version the marker saw (None: they saw no mark). A different current version means
    /// someone else changed it since: the mark is skipped as a conflict.
    pub seen_version: Option<Option<i32>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkOutcome {
    Created,
    Changed,
    Unchanged,
    /// Someone else changed this row after the marker loaded it.
    Conflict,
}

pub(super) fn clean(text: Option<String>, field: &str) -> Result<Option<String>, AppError> {
    let t = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if t.as_ref().is_some_and(|t| t.chars().count() > 500) {
        return Err(AppError::invalid(
            field,
            format!("{field} terlalu panjang (paling banyak 500 huruf)."),
            format!("{field} is too long (at most 500 characters)."),
        ));
    }
    Ok(t)
}

/// Records one mark inside the caller's transaction.
pub(super) async fn record_mark<C: ConnectionTrait>(
    db: &C,
    actor: Option<i32>,
    session_id: i32,
    mark: Mark,
    source: Source,
    now: DateTime<Utc>,
) -> Result<MarkOutcome, AppError> {
    let note = clean(mark.note, "Catatan")?;
    let reason = if mark.status.needs_reason() { clean(mark.reason, "Alasan")? } else { None };
    let existing = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(session_id))
        .filter(attendance::Column::PersonId.eq(mark.person_id))
        .one(db)
        .await?;
    if let Some(seen) = mark.seen_version {
        if seen != existing.as_ref().map(|a| a.version) {
            return Ok(MarkOutcome::Conflict);
        }
    }
    let outcome = match existing {
        None => {
            let row = attendance::ActiveModel {
                diklat_session_id: Set(session_id),
                person_id: Set(mark.person_id),
                status: Set(mark.status),
                note: Set(note),
                reason: Set(reason),
                source: Set(source),
                marked_by: Set(actor),
                marked_at: Set(now),
                version: Set(1),
                ..Default::default()
            };
            // ON CONFLICT DO NOTHING rather than catching the error: on PostgreSQL a failed
            // statement would abort the whole transaction (the other rows of a grid).
            let inserted = attendance::Entity::insert(row)
                .on_conflict(
                    sea_orm::sea_query::OnConflict::columns([
                        attendance::Column::DiklatSessionId,
                        attendance::Column::PersonId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
            if inserted == 0 {
                // Someone else's mark landed first.
                return Ok(MarkOutcome::Conflict);
            }
            MarkOutcome::Created
        }
        Some(old) if old.status == mark.status && old.note == note && old.reason == reason => MarkOutcome::Unchanged,
        Some(old) => {
            attendance_history::ActiveModel {
                attendance_id: Set(old.id),
                status: Set(old.status),
                note: Set(old.note.clone()),
                reason: Set(old.reason.clone()),
                source: Set(old.source),
                marked_by: Set(old.marked_by),
                marked_at: Set(old.marked_at),
                version: Set(old.version),
                replaced_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            let version = old.version;
            let mut row = old.into_active_model();
            row.status = Set(mark.status);
            row.note = Set(note);
            row.reason = Set(reason);
            row.source = Set(source);
            row.marked_by = Set(actor);
            row.marked_at = Set(now);
            row.version = Set(version + 1);
            // Optimistic: only if nobody bumped it in between.
            let updated = attendance::Entity::update_many()
                .set(row)
                .filter(attendance::Column::DiklatSessionId.eq(session_id))
                .filter(attendance::Column::PersonId.eq(mark.person_id))
                .filter(attendance::Column::Version.eq(version))
                .exec(db)
                .await?;
            if updated.rows_affected == 0 {
                return Ok(MarkOutcome::Conflict);
            }
            MarkOutcome::Changed
        }
    };
    if matches!(outcome, MarkOutcome::Created | MarkOutcome::Changed) {
        audit::record(
            db,
            actor,
            "attendance.mark",
            "diklat_session",
            Some(session_id.to_string()),
            Some(serde_json::json!({ "person_id": mark.person_id, "status": mark.status.code(), "source": source.code() })),
        )
        .await?;
    }
    Ok(outcome)
}

/// A session the caller manages, with its diklat.
pub async fn managed_session<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    session_id: i32,
) -> Result<(diklat_session::Model, diklat::Model), AppError> {
    let s = diklat_session::Entity::find_by_id(session_id).one(db).await?.ok_or(AppError::NotFound)?;
    let d = schedule::managed(db, scopes, s.diklat_id).await?;
    Ok((s, d))
}

/// What saving a grid did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GridResult {
    pub saved: usize,
    pub unchanged: usize,
    /// Names of people whose mark someone else changed meanwhile (their row was not saved).
    pub conflicts: Vec<String>,
}

/// Saves the marks of a grid in one transaction: all rows or none. People not enrolled are refused.
pub async fn save_marks<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
    marks: Vec<Mark>,
    source: Source,
) -> Result<GridResult, AppError> {
    let txn = db.begin().await?;
    let (s, _) = managed_session(&txn, scopes, session_id).await?;
    let enrolled: HashMap<i32, String> =
        schedule::enrolled(&txn, s.diklat_id).await?.into_iter().map(|e| (e.person_id, e.name)).collect();
    let now = Utc::now();
    let mut result = GridResult::default();
    for mark in marks {
        let Some(name) = enrolled.get(&mark.person_id) else {
            return Err(AppError::invalid(
                "Peserta",
                format!("Peserta #{} tidak terdaftar pada diklat ini.", mark.person_id),
                format!("Participant #{} is not enrolled in this training.", mark.person_id),
            ));
        };
        match record_mark(&txn, Some(caller.account_id), session_id, mark, source, now).await? {
            MarkOutcome::Created | MarkOutcome::Changed => result.saved += 1,
            MarkOutcome::Unchanged => result.unchanged += 1,
            MarkOutcome::Conflict => result.conflicts.push(name.clone()),
        }
    }
    crate::services::stale::mark_stale(&txn, s.diklat_id).await?;
    txn.commit().await?;
    Ok(result)
}

/// "Semua hadir": marks H for every enrolled person (in `village_id`, when given) without a mark yet.
pub async fn mark_rest_present<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
    village_id: Option<i32>,
) -> Result<usize, AppError> {
    let txn = db.begin().await?;
    let (s, _) = managed_session(&txn, scopes, session_id).await?;
    let marked: std::collections::HashSet<i32> = marks_of(&txn, session_id).await?.into_keys().collect();
    let now = Utc::now();
    let mut n = 0;
    for e in schedule::enrolled(&txn, s.diklat_id).await? {
        if marked.contains(&e.person_id) || village_id.is_some_and(|v| e.village_id != Some(v)) {
            continue;
        }
        let mark =
            Mark { person_id: e.person_id, status: Status::Hadir, note: None, reason: None, seen_version: Some(None) };
        if record_mark(&txn, Some(caller.account_id), session_id, mark, Source::Panitia, now).await?
            == MarkOutcome::Created
        {
            n += 1;
        }
    }
    crate::services::stale::mark_stale(&txn, s.diklat_id).await?;
    txn.commit().await?;
    Ok(n)
}

/// The marks of a session, by person.
pub async fn marks_of<C: ConnectionTrait>(
    db: &C,
    session_id: i32,
) -> Result<HashMap<i32, attendance::Model>, AppError> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(session_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.person_id, a))
        .collect())
}

/// The earlier values of one person's mark, newest first.
pub async fn history_of<C: ConnectionTrait>(
    db: &C,
    attendance_id: i64,
) -> Result<Vec<attendance_history::Model>, AppError> {
    Ok(attendance_history::Entity::find()
        .filter(attendance_history::Column::AttendanceId.eq(attendance_id))
        .order_by_desc(attendance_history::Column::Version)
        .all(db)
        .await?)
}

/// Counts per status for a session, plus enrolled people without a mark.
pub fn session_counts(
    marks: &HashMap<i32, attendance::Model>,
    enrolled: &[schedule::Enrolled],
) -> (BTreeMap<Status, usize>, usize) {
    let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
    let mut unmarked = 0;
    for e in enrolled {
        match marks.get(&e.person_id).map(|m| m.status) {
            Some(s) => *counts.entry(s).or_default() += 1,
            None => unmarked += 1,
        }
    }
    (counts, unmarked)
}

/// The statuses a diklat counts as present.
pub fn present_statuses(d: &diklat::Model) -> Vec<Status> {
    d.present_statuses.split(',').filter_map(Status::parse).collect()
}

/// A person's attendance rate in a diklat: sessions held (ended before `now`) since they were
/// enrolled, and how many of those they attended with a status the diklat counts as present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rate {
    pub held: usize,
    pub present: usize,
}

impl Rate {
    /// Whole percent, rounded down; 0 when nothing was held yet.
    pub fn percent(self) -> u32 {
        (self.present * 100).checked_div(self.held).unwrap_or(0) as u32
    }
}

/// Rates of the people `enrolled` in diklat `d` (as [`schedule::enrolled`] lists them), by person id.
pub async fn rates<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    enrolled: &[schedule::Enrolled],
    now: DateTime<Utc>,
) -> Result<HashMap<i32, Rate>, AppError> {
    let sessions = diklat_session::Entity::find().filter(diklat_session::Column::DiklatId.eq(d.id)).all(db).await?;
    let held: Vec<(i32, DateTime<Utc>)> = sessions
        .iter()
        .filter(|s| schedule::wib_instant(s.session_date, s.ends_at) <= now)
        .map(|s| (s.id, schedule::wib_instant(s.session_date, s.starts_at)))
        .collect();
    let present = present_statuses(d);
    let ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
    let mut marks: HashMap<(i32, i32), types::Attendance> = HashMap::new();
    for chunk in ids.chunks(200) {
        for a in
            attendance::Entity::find().filter(attendance::Column::DiklatSessionId.is_in(chunk.to_vec())).all(db).await?
        {
            marks.insert((a.diklat_session_id, a.person_id), a.status);
        }
    }
    let mut out = HashMap::new();
    for e in enrolled {
        let mut rate = Rate::default();
        for (sid, starts) in &held {
            let mark = marks.get(&(*sid, e.person_id)).copied();
            // A session held before the person was enrolled does not count — unless they were marked anyway.
            if *starts < e.enrolled_at && mark.is_none() {
                continue;
            }
            rate.held += 1;
            if mark.is_some_and(|m| present.contains(&m)) {
                rate.present += 1;
            }
        }
        out.insert(e.person_id, rate);
    }
    Ok(out)
}
