//! Attendance (presensi): H, T, I, S, A per person and session, marked by panitia (the grid,
//! paper lists, CSV) or by the peserta themselves with the rotating check-in code.
//!
//! Every change keeps the replaced value in `attendance_history`, bumps the row's version and
//! writes an audit line; a grid saved over someone else's newer change skips that row and says so.

use crate::{
    auth::{Caller, Scope},
    entities::{attendance, attendance_history, checkin_window, diklat, diklat_session},
    error::Text,
    secret::DataKey,
    services::{audit, schedule},
    AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};

pub use super::status::{Source, Status};

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

fn clean(text: Option<String>, field: &str) -> Result<Option<String>, AppError> {
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
async fn record_mark<C: ConnectionTrait>(
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
                status: Set(mark.status.code().to_string()),
                note: Set(note),
                reason: Set(reason),
                source: Set(source.code().to_string()),
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
        Some(old) if old.status == mark.status.code() && old.note == note && old.reason == reason => {
            MarkOutcome::Unchanged
        }
        Some(old) => {
            attendance_history::ActiveModel {
                attendance_id: Set(old.id),
                status: Set(old.status.clone()),
                note: Set(old.note.clone()),
                reason: Set(old.reason.clone()),
                source: Set(old.source.clone()),
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
            row.status = Set(mark.status.code().to_string());
            row.note = Set(note);
            row.reason = Set(reason);
            row.source = Set(source.code().to_string());
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
    super::stale::mark_stale(&txn, s.diklat_id).await?;
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
    super::stale::mark_stale(&txn, s.diklat_id).await?;
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
        match marks.get(&e.person_id).and_then(|m| Status::parse(&m.status)) {
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
    let mut marks: HashMap<(i32, i32), String> = HashMap::new();
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
            let mark = marks.get(&(*sid, e.person_id)).and_then(|s| Status::parse(s));
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

// ---------------------------------------------------------------------------------------------
// Self check-in with a rotating code

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
const CODE_ALPHABET: &[u8] = b"3467ACDEFGHJKMNPQRTUVWXY9";
pub const CODE_LEN: usize = 6;

/// The code shown during rotation step `step` of `window`.
pub fn code_for(key: &DataKey, window: &checkin_window::Model, step: i64) -> String {
    let mac = key.mac("checkin-code", format!("{}:{}:{}", window.id, window.salt, step).as_bytes());
    mac.iter().take(CODE_LEN).map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect()
}

/// Rotation step at `now` (0 at opening).
pub fn step_at(window: &checkin_window::Model, now: DateTime<Utc>) -> i64 {
    let r = i64::from(window.rotation_seconds.max(5));
    (now - window.opened_at).num_seconds().max(0) / r
}

/// The code to project now and the seconds until it rotates.
pub fn current_code(key: &DataKey, window: &checkin_window::Model, now: DateTime<Utc>) -> (String, i64) {
    let r = i64::from(window.rotation_seconds.max(5));
    let step = step_at(window, now);
    let next = window.opened_at + Duration::seconds((step + 1) * r);
    (code_for(key, window, step), (next - now).num_seconds().max(0))
}

/// A typed code, upper-cased, with spaces and dashes removed.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

/// How long a code stays valid after the projector has moved on to the next one, for windows
/// opened from now on: a peserta in a hall reads the code, unlocks a phone, opens the page and
/// types six characters — a slow typist took 47 s where the first windows allowed 40 (30 s
/// shown + 10 s). With 60 s, a code is accepted for 60–90 s after it first appeared. Windows
/// keep the grace they were opened with (`checkin_window.grace_seconds`).
pub const GRACE_SECONDS: i32 = 60;

/// Whether `code` is valid for `window` at `now`: the current step's code, or an earlier step's
/// while no more than the grace period has passed since it rotated away.
pub fn code_matches(key: &DataKey, window: &checkin_window::Model, code: &str, now: DateTime<Utc>) -> bool {
    if code.len() != CODE_LEN || now < window.opened_at {
        return false;
    }
    let r = i64::from(window.rotation_seconds.max(5));
    let step = step_at(window, now);
    let elapsed = (now - window.opened_at).num_seconds();
    let grace = i64::from(window.grace_seconds.max(0));
    // Step `s` was shown until `(s + 1) * r`; it stays valid until `grace` seconds after that.
    let oldest = (0..=step).find(|s| elapsed - (s + 1) * r <= grace).unwrap_or(step);
    (oldest..=step).any(|s| crate::secret::same(code_for(key, window, s).as_bytes(), code.as_bytes()))
}

/// What is wrong with a typed check-in code before any lookup, as a sentence naming it: its
/// length, or a character no code contains (the alphabet leaves out look-alikes).
pub fn code_problem(code: &str) -> Option<Text> {
    if let Some(c) = code.chars().find(|c| !c.is_ascii() || !CODE_ALPHABET.contains(&(*c as u8))) {
        return Some(Text::new(
            format!(
                "Karakter \"{c}\" tidak ada dalam kode presensi (kode tidak memakai 0, 1, 2, 5, 8, B, I, L, O, S, Z, \
                 agar tidak tertukar). Periksa lagi kode di layar."
            ),
            format!(
                "The character \"{c}\" is not in attendance codes (codes leave out 0, 1, 2, 5, 8, B, I, L, O, S, Z, \
                 so they are not mixed up). Check the code on the screen again."
            ),
        ));
    }
    let n = code.chars().count();
    (n != CODE_LEN).then(|| {
        Text::new(
            format!("Kode presensi terdiri dari {CODE_LEN} karakter; yang Anda ketik {n} karakter."),
            format!("An attendance code has {CODE_LEN} characters; you typed {n}."),
        )
    })
}

/// Settings panitia choose when opening check-in.
#[derive(Clone, Copy, Debug)]
pub struct OpenCheckin {
    pub minutes_open: i64,
    pub late_after_minutes: i32,
}

/// Opens check-in for a session (closing any earlier window of it). Only on the session's day.
pub async fn open_checkin<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
    settings: OpenCheckin,
    now: DateTime<Utc>,
) -> Result<checkin_window::Model, AppError> {
    if !(5..=24 * 60).contains(&settings.minutes_open) {
        return Err(AppError::invalid(
            "Lama dibuka",
            "Lama check-in dibuka: 5 sampai 1440 menit.",
            "Check-in open for: 5 to 1440 minutes.",
        ));
    }
    if !(0..=240).contains(&settings.late_after_minutes) {
        return Err(AppError::invalid(
            "Batas terlambat",
            "Batas terlambat: 0 sampai 240 menit sesudah sesi mulai.",
            "Late after: 0 to 240 minutes after the session starts.",
        ));
    }
    let txn = db.begin().await?;
    let (s, _) = managed_session(&txn, scopes, session_id).await?;
    if schedule::today_wib(now) != s.session_date {
        return Err(AppError::invalid(
            "Sesi",
            format!("Check-in hanya dapat dibuka pada hari sesi ({}).", s.session_date.format("%d-%m-%Y")),
            format!("Check-in can only be opened on the day of the session ({}).", s.session_date.format("%d-%m-%Y")),
        ));
    }
    close_open_windows(&txn, session_id, now).await?;
    let salt: [u8; 16] = rand::random();
    let window = checkin_window::ActiveModel {
        diklat_session_id: Set(session_id),
        opened_by: Set(Some(caller.account_id)),
        opened_at: Set(now),
        closes_at: Set(now + Duration::minutes(settings.minutes_open)),
        closed_at: Set(None),
        late_after_minutes: Set(settings.late_after_minutes),
        rotation_seconds: Set(30),
        grace_seconds: Set(GRACE_SECONDS),
        salt: Set(hex::encode(salt)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Some(caller.account_id), "checkin.open", "diklat_session", Some(session_id.to_string()), None)
        .await?;
    txn.commit().await?;
    Ok(window)
}

async fn close_open_windows<C: ConnectionTrait>(db: &C, session_id: i32, now: DateTime<Utc>) -> Result<u64, AppError> {
    Ok(checkin_window::Entity::update_many()
        .col_expr(checkin_window::Column::ClosedAt, sea_orm::sea_query::Expr::value(now))
        .filter(checkin_window::Column::DiklatSessionId.eq(session_id))
        .filter(checkin_window::Column::ClosedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Closes check-in for a session.
pub async fn close_checkin<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    managed_session(&txn, scopes, session_id).await?;
    close_open_windows(&txn, session_id, now).await?;
    audit::record(&txn, Some(caller.account_id), "checkin.close", "diklat_session", Some(session_id.to_string()), None)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The open check-in window of a session at `now`, if any.
pub async fn open_window<C: ConnectionTrait>(
    db: &C,
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<checkin_window::Model>, AppError> {
    Ok(checkin_window::Entity::find()
        .filter(checkin_window::Column::DiklatSessionId.eq(session_id))
        .filter(checkin_window::Column::ClosedAt.is_null())
        .filter(checkin_window::Column::ClosesAt.gt(now))
        .order_by_desc(checkin_window::Column::Id)
        .one(db)
        .await?)
}

/// What a check-in did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckedIn {
    /// Recorded now, with this status (H or T), for this session title.
    Recorded { status: Status, session: String },
    /// Already recorded as present earlier; nothing changed.
    Already { status: Status, session: String },
}

/// Why a check-in was refused (each a sentence for the peserta, in Bahasa Indonesia and English).
pub fn checkin_error(id: &str, en: &str) -> AppError {
    AppError::invalid("Kode", id, en)
}

/// A peserta checks themselves in with a code (and, from a QR link, the session it names).
pub async fn check_in<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    key: &DataKey,
    person_id: i32,
    account_id: i32,
    session_hint: Option<i32>,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CheckedIn, AppError> {
    let code = normalise_code(code);
    if let Some(problem) = code_problem(&code) {
        return Err(checkin_error(&problem.id, &problem.en));
    }
    let mut open = checkin_window::Entity::find()
        .filter(checkin_window::Column::ClosedAt.is_null())
        .filter(checkin_window::Column::ClosesAt.gt(now));
    if let Some(s) = session_hint {
        open = open.filter(checkin_window::Column::DiklatSessionId.eq(s));
    }
    let windows = open.all(db).await?;
    let Some(window) = windows.into_iter().find(|w| code_matches(key, w, &code, now)) else {
        if let Some(s) = session_hint {
            if open_window(db, s, now).await?.is_none() {
                return Err(checkin_error(
                    "Presensi untuk sesi ini sedang ditutup. Hubungi panitia.",
                    "Attendance for this session is closed at the moment. Contact the organisers.",
                ));
            }
        }
        return Err(checkin_error(
            "Kode salah atau sudah kedaluwarsa. Lihat kode terbaru di layar, lalu coba lagi.",
            "The code is wrong or has expired. Look at the latest code on the screen, then try again.",
        ));
    };
    let txn = db.begin().await?;
    let s = diklat_session::Entity::find_by_id(window.diklat_session_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if schedule::enrolment_of(&txn, s.diklat_id, person_id).await?.is_none() {
        return Err(AppError::Forbidden);
    }
    let starts = schedule::wib_instant(s.session_date, s.starts_at);
    let status = if now > starts + Duration::minutes(i64::from(window.late_after_minutes)) {
        Status::Terlambat
    } else {
        Status::Hadir
    };
    let existing = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(s.id))
        .filter(attendance::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?;
    if let Some(prev) = existing
        .as_ref()
        .and_then(|a| Status::parse(&a.status))
        .filter(|p| matches!(p, Status::Hadir | Status::Terlambat))
    {
        return Ok(CheckedIn::Already { status: prev, session: s.title });
    }
    let mark =
        Mark { person_id, status, note: None, reason: None, seen_version: Some(existing.as_ref().map(|a| a.version)) };
    match record_mark(&txn, Some(account_id), s.id, mark, Source::Checkin, now).await? {
        MarkOutcome::Conflict => {
            // A concurrent check-in of the same person won: report what is stored.
            drop(txn);
            let stored = attendance::Entity::find()
                .filter(attendance::Column::DiklatSessionId.eq(s.id))
                .filter(attendance::Column::PersonId.eq(person_id))
                .one(db)
                .await?
                .and_then(|a| Status::parse(&a.status))
                .unwrap_or(status);
            Ok(CheckedIn::Already { status: stored, session: s.title })
        }
        _ => {
            super::stale::mark_stale(&txn, s.diklat_id).await?;
            txn.commit().await?;
            Ok(CheckedIn::Recorded { status, session: s.title })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reports and paper marks

/// One line of a session's attendance export.
pub async fn session_report<C: ConnectionTrait>(
    db: &C,
    session_id: i32,
    diklat_id: i32,
) -> Result<Vec<Vec<String>>, AppError> {
    let marks = marks_of(db, session_id).await?;
    Ok(schedule::enrolled(db, diklat_id)
        .await?
        .into_iter()
        .map(|e| {
            let m = marks.get(&e.person_id);
            vec![
                e.name,
                jabatan_label(e.position.as_deref()),
                e.cooperative,
                e.village,
                e.district,
                m.map(|m| m.status.clone()).unwrap_or_default(),
                m.and_then(|m| m.note.clone()).unwrap_or_default(),
                m.and_then(|m| m.reason.clone()).unwrap_or_default(),
                m.map(|m| Source::from_code(&m.source).map_or(m.source.clone(), |s| s.label().to_string()))
                    .unwrap_or_default(),
                m.map(|m| m.marked_at.with_timezone(&schedule::wib()).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect())
}

/// A jabatan as the reports name it ("Ketua"); a code the types do not know, as stored.
fn jabatan_label(code: Option<&str>) -> String {
    let code = code.unwrap_or_default();
    types::Jabatan::from_code(code).map_or(code, |j| j.labels().0).to_string()
}

pub const SESSION_REPORT_HEADERS: &[&str] =
    &["Nama", "Jabatan", "KKMP", "Kelurahan", "Kecamatan", "Status", "Catatan", "Alasan", "Sumber", "Dicatat (WIB)"];

pub const DIKLAT_REPORT_HEADERS: &[&str] = &[
    "Nama",
    "Jabatan",
    "KKMP",
    "Kelurahan",
    "Kecamatan",
    "Sesi terlaksana",
    "Hadir",
    "Kehadiran (%)",
    "Memenuhi minimal",
];

/// Per person: sessions held, attended, rate, and whether it meets the diklat's minimum.
pub async fn diklat_report<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    now: DateTime<Utc>,
) -> Result<Vec<Vec<String>>, AppError> {
    let enrolled = schedule::enrolled(db, d.id).await?;
    let rates = rates(db, d, &enrolled, now).await?;
    Ok(enrolled
        .into_iter()
        .map(|e| {
            let r = rates.get(&e.person_id).copied().unwrap_or_default();
            vec![
                e.name,
                jabatan_label(e.position.as_deref()),
                e.cooperative,
                e.village,
                e.district,
                r.held.to_string(),
                r.present.to_string(),
                r.percent().to_string(),
                if r.held > 0 && r.percent() >= d.min_attendance_pct as u32 { "ya" } else { "belum" }.to_string(),
            ]
        })
        .collect())
}

/// Marks from a filled-in paper list typed into a CSV: columns `nik` and `status` (H/T/I/S/A),
/// optionally `catatan` and `alasan`. Every line is checked first; one bad line saves nothing.
pub async fn import_marks<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
    file_name: &str,
    bytes: &[u8],
) -> Result<GridResult, AppError> {
    let (s, _) = managed_session(db, scopes, session_id).await?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes)).map_err(|_| {
        AppError::invalid(
            file_name,
            format!("{file_name}: berkas harus teks UTF-8 (CSV)."),
            format!("{file_name}: the file must be UTF-8 text (CSV)."),
        )
    })?;
    let delimiter =
        if text.lines().next().is_some_and(|l| l.matches(';').count() > l.matches(',').count()) { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::invalid(file_name, format!("{file_name}:1: {e}"), format!("{file_name}:1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(nik_col), Some(status_col)) = (col("nik"), col("status")) else {
        return Err(AppError::invalid(
            file_name,
            format!("{file_name}:1: kolom \"nik\" dan \"status\" wajib ada."),
            format!("{file_name}:1: the columns \"nik\" and \"status\" are required."),
        ));
    };
    let (note_col, reason_col) = (col("catatan"), col("alasan"));
    let enrolled = schedule::enrolled(db, s.diklat_id).await?;
    let ids: Vec<i32> = enrolled.iter().map(|e| e.person_id).collect();
    let mut by_nik: HashMap<String, i32> = HashMap::new();
    for chunk in ids.chunks(500) {
        for p in crate::entities::person::Entity::find()
            .filter(crate::entities::person::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(nik) = p.nik {
                by_nik.insert(nik, p.id);
            }
        }
    }
    let mut errors = Vec::new();
    let mut marks = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(Text::new(format!("{file_name}:{line}: {e}"), format!("{file_name}:{line}: {e}")));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::trim).unwrap_or("");
        let nik = get(Some(nik_col));
        if nik.is_empty() && get(Some(status_col)).is_empty() {
            continue;
        }
        let Some(&person_id) = by_nik.get(nik) else {
            let masked = crate::auth::ids::mask_nik(nik);
            errors.push(Text::new(
                format!("{file_name}:{line}: NIK {masked} tidak terdaftar pada diklat ini."),
                format!("{file_name}:{line}: NIK {masked} is not enrolled in this training."),
            ));
            continue;
        };
        let Some(status) = Status::parse(get(Some(status_col))) else {
            errors.push(Text::new(
                format!("{file_name}:{line}: status harus salah satu dari H, T, I, S, A."),
                format!("{file_name}:{line}: the status must be one of H, T, I, S, A."),
            ));
            continue;
        };
        if !seen.insert(person_id) {
            errors.push(Text::new(
                format!("{file_name}:{line}: NIK ini sudah ada di baris sebelumnya."),
                format!("{file_name}:{line}: this NIK already appears on an earlier line."),
            ));
            continue;
        }
        let text = |c: Option<usize>| Some(get(c).to_string()).filter(|t| !t.is_empty());
        marks.push(Mark { person_id, status, note: text(note_col), reason: text(reason_col), seen_version: None });
    }
    if !errors.is_empty() {
        let shown_id: Vec<&str> = errors.iter().take(20).map(|t| t.id.as_str()).collect();
        let shown_en: Vec<&str> = errors.iter().take(20).map(|t| t.en.as_str()).collect();
        let (more_id, more_en) = if errors.len() > 20 {
            (format!(" (dan {} lainnya)", errors.len() - 20), format!(" (and {} more)", errors.len() - 20))
        } else {
            (String::new(), String::new())
        };
        return Err(AppError::invalid(
            file_name,
            format!("Tidak ada yang disimpan. {}{more_id}", shown_id.join(" · ")),
            format!("Nothing was saved. {}{more_en}", shown_en.join(" · ")),
        ));
    }
    if marks.is_empty() {
        return Err(AppError::invalid(
            file_name,
            format!("{file_name}: tidak ada baris presensi."),
            format!("{file_name}: there are no attendance lines."),
        ));
    }
    save_marks(db, caller, scopes, session_id, marks, Source::Import).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(opened: DateTime<Utc>) -> checkin_window::Model {
        checkin_window::Model {
            id: 7,
            diklat_session_id: 3,
            opened_by: None,
            opened_at: opened,
            closes_at: opened + Duration::hours(1),
            closed_at: None,
            late_after_minutes: 15,
            rotation_seconds: 30,
            grace_seconds: 10,
            salt: "00ff".into(),
        }
    }

    #[test]
    fn a_code_is_valid_for_its_step_and_the_grace_after_it_only() {
        let key = DataKey::for_test([7; 32]);
        let t0 = Utc::now();
        let w = window(t0);
        let first = code_for(&key, &w, 0);
        assert_eq!(first.len(), CODE_LEN);
        assert!(code_matches(&key, &w, &first, t0 + Duration::seconds(29)));
        assert!(code_matches(&key, &w, &first, t0 + Duration::seconds(35)), "within the grace after rotating");
        assert!(!code_matches(&key, &w, &first, t0 + Duration::seconds(41)), "not after the grace");
        assert!(!code_matches(&key, &w, &first, t0 + Duration::seconds(95)), "never again later");
        let second = code_for(&key, &w, 1);
        assert_ne!(first, second);
        assert!(!code_matches(&key, &w, &second, t0 + Duration::seconds(10)), "not before its time");
    }

    #[test]
    fn a_code_typed_a_minute_after_it_rotated_away_still_counts_in_a_new_window() {
        let key = DataKey::for_test([7; 32]);
        let t0 = Utc::now();
        let w = checkin_window::Model { grace_seconds: GRACE_SECONDS, ..window(t0) };
        let first = code_for(&key, &w, 0);
        assert!(code_matches(&key, &w, &first, t0 + Duration::seconds(47)), "the slow typist of the outside test");
        assert!(code_matches(&key, &w, &first, t0 + Duration::seconds(75)), "two codes later, within the grace");
        assert!(code_matches(&key, &w, &first, t0 + Duration::seconds(90)), "30 s shown + 60 s grace");
        assert!(!code_matches(&key, &w, &first, t0 + Duration::seconds(91)), "not after the grace");
        assert!(code_matches(&key, &w, &code_for(&key, &w, 1), t0 + Duration::seconds(91)), "the next one still is");
    }

    #[test]
    fn a_mistyped_code_is_told_what_is_wrong_with_it() {
        let said = |c: &str| code_problem(&normalise_code(c)).unwrap_or_default().id;
        assert_eq!(said("ac3-d4e"), "");
        assert!(said("AC3D4").contains("6 karakter; yang Anda ketik 5"), "{}", said("AC3D4"));
        assert!(said("AC3D4E7").contains("yang Anda ketik 7"));
        assert!(said("AC0D4E").starts_with("Karakter \"0\" tidak ada"), "{}", said("AC0D4E"));
        assert!(said("ACOD4E").starts_with("Karakter \"O\""));
        assert!(said("ACéD4E").starts_with("Karakter \"É\"") || said("ACéD4E").starts_with("Karakter \"é\""));
    }

    #[test]
    fn codes_differ_between_windows_and_keys() {
        let t0 = Utc::now();
        let key = DataKey::for_test([7; 32]);
        let mut other = window(t0);
        other.id = 8;
        assert_ne!(code_for(&key, &window(t0), 0), code_for(&key, &other, 0));
        assert_ne!(code_for(&key, &window(t0), 0), code_for(&DataKey::for_test([9; 32]), &window(t0), 0));
    }

    #[test]
    fn typed_codes_are_forgiving_about_case_spaces_and_dashes() {
        assert_eq!(normalise_code(" ac3-4df "), "AC34DF");
    }
}
