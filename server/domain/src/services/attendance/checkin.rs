//! Self check-in with a rotating code: windows opened and closed by the panitia, codes checked.

use super::marks::{managed_session, record_mark, Mark, MarkOutcome};
use super::{Source, Status};
use crate::{
    auth::{Caller, Scope},
    entities::{attendance, checkin_window, diklat_session},
    error::Text,
    secret::DataKey,
    services::{audit, schedule},
    AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
pub(super) const CODE_ALPHABET: &[u8] = b"3467ACDEFGHJKMNPQRTUVWXY9";
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

pub(super) async fn close_open_windows<C: ConnectionTrait>(
    db: &C,
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
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
    if let Some(prev) = existing.as_ref().map(|a| a.status).filter(|p| matches!(p, Status::Hadir | Status::Terlambat)) {
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
                .map(|a| a.status)
                .unwrap_or(status);
            Ok(CheckedIn::Already { status: stored, session: s.title })
        }
        _ => {
            crate::services::stale::mark_stale(&txn, s.diklat_id).await?;
            txn.commit().await?;
            Ok(CheckedIn::Recorded { status, session: s.title })
        }
    }
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
