//! A diklat's sessions (sesi): room, time and speaker checked, and read back for pages and feeds.

use super::diklat::{list_managed, managed, parse_date, parse_number, parse_time, required};
use crate::services::clock::wib_instant;
use crate::{
    auth::{Caller, Scope},
    entities::{diklat, diklat_session, enrolment, module, narasumber},
    services::audit,
    AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// What the session form sends, as typed.
#[derive(Clone, Debug, Default)]
pub struct SessionInput {
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub title: String,
    pub room: String,
    /// A module slug, or empty for a session without a module (opening, evaluation).
    pub module: String,
    pub speaker_name: String,
    pub speaker_institution: String,
    pub jp: String,
}

/// Creates (`session_id` None) or changes a session, refusing one outside the diklat's dates or
/// one that overlaps another session in the same room of the same venue.
pub async fn save_session<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    diklat_id: i32,
    session_id: Option<i32>,
    input: &SessionInput,
) -> Result<i32, AppError> {
    let date = parse_date("Tanggal", &input.date)?;
    let starts = parse_time("Jam mulai", &input.starts)?;
    let ends = parse_time("Jam selesai", &input.ends)?;
    if ends <= starts {
        return Err(AppError::invalid(
            "Jam selesai",
            "Jam selesai harus sesudah jam mulai.",
            "The end time must be after the start time.",
        ));
    }
    let title = required("Judul sesi", &input.title, 200)?;
    let room = required("Ruang", &input.room, 100)?;
    let jp = parse_number("JP", &input.jp, 0, 20)?;
    let txn = db.begin().await?;
    let d = managed(&txn, scopes, diklat_id).await?;
    if date < d.starts_on || date > d.ends_on {
        return Err(AppError::invalid(
            "Tanggal",
            format!(
                "Tanggal sesi harus di antara {} dan {} (tanggal diklat).",
                d.starts_on.format("%d-%m-%Y"),
                d.ends_on.format("%d-%m-%Y")
            ),
            format!(
                "The session date must be between {} and {} (the training's dates).",
                d.starts_on.format("%d-%m-%Y"),
                d.ends_on.format("%d-%m-%Y")
            ),
        ));
    }
    let module_id = match input.module.trim() {
        "" => None,
        slug => Some(
            module::Entity::find()
                .filter(module::Column::Slug.eq(slug))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::invalid("Modul", "Modul tidak ditemukan.", "Module not found."))?
                .id,
        ),
    };
    // Two panitia adding sessions to one room at once: SQLite's single writer already serialises
    // them; on PostgreSQL a transaction lock per venue, room and day does.
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let key = format!("{}|{}|{date}", d.venue.trim().to_lowercase(), room.to_lowercase());
        txn.query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [key.into()],
        ))
        .await?;
    }
    // Same room at the same venue on the same day, overlapping in time.
    let same_day = diklat_session::Entity::find()
        .filter(diklat_session::Column::SessionDate.eq(date))
        .filter(diklat_session::Column::StartsAt.lt(ends))
        .filter(diklat_session::Column::EndsAt.gt(starts))
        .all(&txn)
        .await?;
    for other in same_day.iter().filter(|s| Some(s.id) != session_id) {
        if !other.room.trim().eq_ignore_ascii_case(&room) {
            continue;
        }
        let other_diklat = diklat::Entity::find_by_id(other.diklat_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        if other_diklat.venue.trim().eq_ignore_ascii_case(d.venue.trim()) {
            return Err(AppError::conflict(
                "Ruang",
                format!(
                    "Ruang {room} sudah dipakai pada {} pukul {}–{} oleh sesi \"{}\" ({}).",
                    date.format("%d-%m-%Y"),
                    other.starts_at.format("%H:%M"),
                    other.ends_at.format("%H:%M"),
                    other.title,
                    other_diklat.name
                ),
                format!(
                    "Room {room} is already in use on {} from {} to {} by the session \"{}\" ({}).",
                    date.format("%d-%m-%Y"),
                    other.starts_at.format("%H:%M"),
                    other.ends_at.format("%H:%M"),
                    other.title,
                    other_diklat.name
                ),
            ));
        }
    }
    let narasumber_id = speaker(&txn, &input.speaker_name, &input.speaker_institution).await?;
    let id = match session_id {
        None => {
            diklat_session::ActiveModel {
                diklat_id: Set(diklat_id),
                session_date: Set(date),
                starts_at: Set(starts),
                ends_at: Set(ends),
                title: Set(title),
                module_id: Set(module_id),
                narasumber_id: Set(narasumber_id),
                room: Set(room),
                jp: Set(jp),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
        Some(id) => {
            let existing = diklat_session::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .filter(|s| s.diklat_id == diklat_id)
                .ok_or(AppError::NotFound)?;
            let mut row = existing.into_active_model();
            row.session_date = Set(date);
            row.starts_at = Set(starts);
            row.ends_at = Set(ends);
            row.title = Set(title);
            row.module_id = Set(module_id);
            row.narasumber_id = Set(narasumber_id);
            row.room = Set(room);
            row.jp = Set(jp);
            row.update(&txn).await?;
            id
        }
    };
    let action = if session_id.is_some() { "session.update" } else { "session.create" };
    audit::record(&txn, Some(caller.account_id), action, "diklat_session", Some(id.to_string()), None).await?;
    crate::services::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(id)
}

/// Finds or records the speaker (by exact name and institution); none when the name is empty.
pub(super) async fn speaker<C: ConnectionTrait>(
    db: &C,
    name: &str,
    institution: &str,
) -> Result<Option<i32>, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > 200 || institution.chars().count() > 200 {
        return Err(AppError::invalid(
            "Narasumber",
            "Nama atau instansi narasumber terlalu panjang.",
            "The speaker's name or institution is too long.",
        ));
    }
    let institution = institution.trim();
    if let Some(n) = narasumber::Entity::find()
        .filter(narasumber::Column::Name.eq(name))
        .filter(narasumber::Column::Institution.eq(institution))
        .one(db)
        .await?
    {
        return Ok(Some(n.id));
    }
    let n = narasumber::ActiveModel {
        name: Set(name.to_string()),
        institution: Set(institution.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Some(n.id))
}

/// Removes a session that has no attendance yet.
pub async fn delete_session<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    session_id: i32,
) -> Result<i32, AppError> {
    let txn = db.begin().await?;
    let s = diklat_session::Entity::find_by_id(session_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    managed(&txn, scopes, s.diklat_id).await?;
    let marks = crate::entities::attendance::Entity::find()
        .filter(crate::entities::attendance::Column::DiklatSessionId.eq(session_id))
        .count(&txn)
        .await?;
    if marks > 0 {
        return Err(AppError::invalid(
            "Sesi",
            format!("Sesi ini sudah punya {marks} catatan presensi; tidak dapat dihapus."),
            format!("This session already has {marks} attendance record(s); it cannot be deleted."),
        ));
    }
    crate::entities::checkin_window::Entity::delete_many()
        .filter(crate::entities::checkin_window::Column::DiklatSessionId.eq(session_id))
        .exec(&txn)
        .await?;
    diklat_session::Entity::delete_by_id(session_id).exec(&txn).await?;
    let detail = serde_json::json!({ "title": s.title, "date": s.session_date });
    audit::record(
        &txn,
        Some(caller.account_id),
        "session.delete",
        "diklat_session",
        Some(session_id.to_string()),
        Some(detail),
    )
    .await?;
    crate::services::stale::mark_stale(&txn, s.diklat_id).await?;
    txn.commit().await?;
    Ok(s.diklat_id)
}

/// A session as the schedule shows it.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub session: diklat_session::Model,
    pub diklat_name: String,
    pub diklat_code: String,
    pub venue: String,
    pub module_title: Option<String>,
    pub module_slug: Option<String>,
    pub speaker: Option<(String, String)>,
}

impl SessionRow {
    pub fn ends_utc(&self) -> DateTime<Utc> {
        wib_instant(self.session.session_date, self.session.ends_at)
    }
}

pub(super) async fn session_rows<C: ConnectionTrait>(
    db: &C,
    sessions: Vec<diklat_session::Model>,
) -> Result<Vec<SessionRow>, AppError> {
    let diklat_ids: HashSet<i32> = sessions.iter().map(|s| s.diklat_id).collect();
    let diklat: HashMap<i32, diklat::Model> = diklat::Entity::find()
        .filter(diklat::Column::Id.is_in(diklat_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let modules: HashMap<i32, module::Model> =
        module::Entity::find().all(db).await?.into_iter().map(|m| (m.id, m)).collect();
    let speaker_ids: HashSet<i32> = sessions.iter().filter_map(|s| s.narasumber_id).collect();
    let speakers: HashMap<i32, narasumber::Model> = narasumber::Entity::find()
        .filter(narasumber::Column::Id.is_in(speaker_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    Ok(sessions
        .into_iter()
        .map(|s| {
            let d = diklat.get(&s.diklat_id);
            let m = s.module_id.and_then(|id| modules.get(&id));
            SessionRow {
                diklat_name: d.map(|d| d.name.clone()).unwrap_or_default(),
                diklat_code: d.map(|d| d.code.clone()).unwrap_or_default(),
                venue: d.map(|d| d.venue.clone()).unwrap_or_default(),
                module_title: m.map(|m| m.title.clone()),
                module_slug: m.map(|m| m.slug.clone()),
                speaker: s
                    .narasumber_id
                    .and_then(|id| speakers.get(&id))
                    .map(|n| (n.name.clone(), n.institution.clone())),
                session: s,
            }
        })
        .collect())
}

pub(super) fn by_time(q: sea_orm::Select<diklat_session::Entity>) -> sea_orm::Select<diklat_session::Entity> {
    q.order_by_asc(diklat_session::Column::SessionDate)
        .order_by_asc(diklat_session::Column::StartsAt)
        .order_by_asc(diklat_session::Column::Id)
}

/// Every session of a diklat, in time order.
pub async fn sessions_of<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Vec<SessionRow>, AppError> {
    let sessions =
        by_time(diklat_session::Entity::find().filter(diklat_session::Column::DiklatId.eq(diklat_id))).all(db).await?;
    session_rows(db, sessions).await
}

/// The sessions of every diklat a person is enrolled in (not withdrawn), in time order.
pub async fn sessions_for_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<Vec<SessionRow>, AppError> {
    let diklat_ids: Vec<i32> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::DiklatId)
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
        .into_tuple()
        .all(db)
        .await?;
    let sessions = by_time(diklat_session::Entity::find().filter(diklat_session::Column::DiklatId.is_in(diklat_ids)))
        .all(db)
        .await?;
    session_rows(db, sessions).await
}

/// The sessions of every diklat the caller manages, from `from` on, in time order (at most `limit`).
pub async fn sessions_managed<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    from: NaiveDate,
    limit: u64,
) -> Result<Vec<SessionRow>, AppError> {
    let ids: Vec<i32> = list_managed(db, scopes).await?.into_iter().map(|r| r.diklat.id).collect();
    let sessions = by_time(
        diklat_session::Entity::find()
            .filter(diklat_session::Column::DiklatId.is_in(ids))
            .filter(diklat_session::Column::SessionDate.gte(from)),
    )
    .limit(limit)
    .all(db)
    .await?;
    session_rows(db, sessions).await
}

/// One session with its diklat.
pub async fn session<C: ConnectionTrait>(db: &C, session_id: i32) -> Result<SessionRow, AppError> {
    let s = diklat_session::Entity::find_by_id(session_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(session_rows(db, vec![s]).await?.remove(0))
}
