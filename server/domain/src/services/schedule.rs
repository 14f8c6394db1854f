//! Scheduling: a diklat (angkatan), its sessions (sesi) with room and speaker, and who is
//! enrolled. Dates and times are local to Asia/Jakarta (WIB, UTC+7, no daylight saving).

use crate::{
    auth::{Caller, Scope},
    entities::{
        cooperative, diklat, diklat_session, district, enrolment, module, narasumber, person, regency, village,
    },
    services::audit,
    AppError,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

/// Western Indonesia Time.
pub use crate::services::clock::{today_wib, wib, wib_instant};

pub const STATUSES: &[&str] = &["draft", "open", "running", "finished"];

/// What the diklat form sends, as typed.
#[derive(Clone, Debug, Default)]
pub struct DiklatInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub venue: String,
    pub starts_on: String,
    pub ends_on: String,
    pub total_jp: String,
    pub status: String,
    pub min_attendance_pct: String,
    /// Statuses that count as present, e.g. `["H", "T"]`.
    pub present_statuses: Vec<String>,
    /// The last day post-tests count (`TTTT-BB-HH`); empty: the last day + 14.
    pub tests_close_on: String,
    /// The modules the rule requires, by id; none: the modules of the sessions.
    pub modules: Vec<i32>,
    /// The deployment's lowest allowed minimum attendance (`AppState::attendance_floor`); not
    /// from the form.
    pub attendance_floor: i32,
}

struct DiklatFields {
    code: String,
    name: String,
    description: Option<String>,
    venue: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    total_jp: i32,
    status: String,
    min_attendance_pct: i32,
    present_statuses: String,
    tests_close_on: Option<NaiveDate>,
}

pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            field,
            format!("{field}: isi tanggal dengan format TTTT-BB-HH (misal 2025-10-13)."),
            format!("{field}: enter the date as YYYY-MM-DD (e.g. 2025-10-13)."),
        )
    })
}

pub fn parse_time(field: &str, value: &str) -> Result<NaiveTime, AppError> {
    let v = value.trim();
    NaiveTime::parse_from_str(v, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(v, "%H:%M:%S"))
        .or_else(|_| NaiveTime::parse_from_str(&v.replace('.', ":"), "%H:%M"))
        .map_err(|_| {
            AppError::invalid(
                field,
                format!("{field}: isi jam dengan format JJ:MM (misal 08:00)."),
                format!("{field}: enter the time as HH:MM (e.g. 08:00)."),
            )
        })
}

fn parse_number(field: &str, value: &str, min: i32, max: i32) -> Result<i32, AppError> {
    match value.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(
            field,
            format!("{field}: isi angka {min}–{max}."),
            format!("{field}: enter a number from {min} to {max}."),
        )),
    }
}

fn required(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("{field} wajib diisi."), format!("{field} is required.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("{field} terlalu panjang (paling banyak {max} huruf)."),
            format!("{field} is too long (at most {max} characters)."),
        ));
    }
    Ok(v.to_string())
}

impl DiklatInput {
    fn parse(&self) -> Result<DiklatFields, AppError> {
        let starts_on = parse_date("Tanggal mulai", &self.starts_on)?;
        let ends_on = parse_date("Tanggal selesai", &self.ends_on)?;
        if ends_on < starts_on {
            return Err(AppError::invalid(
                "Tanggal selesai",
                "Tanggal selesai tidak boleh sebelum tanggal mulai.",
                "The end date cannot be before the start date.",
            ));
        }
        if (ends_on - starts_on).num_days() > 366 {
            return Err(AppError::invalid(
                "Tanggal selesai",
                "Satu diklat paling lama satu tahun.",
                "A training can last at most one year.",
            ));
        }
        let status = self.status.trim().to_string();
        if !STATUSES.contains(&status.as_str()) {
            return Err(AppError::invalid("Status", "Status tidak dikenal.", "Unknown status."));
        }
        let mut present: Vec<&str> = Vec::new();
        for s in &self.present_statuses {
            let s = s.trim();
            if !super::status::Status::ALL.iter().any(|st| st.code() == s) {
                return Err(AppError::invalid(
                    "Status hadir",
                    format!("Status presensi \"{s}\" tidak dikenal."),
                    format!("Unknown attendance status \"{s}\"."),
                ));
            }
            if !present.contains(&s) {
                present.push(s);
            }
        }
        if present.is_empty() {
            return Err(AppError::invalid(
                "Status hadir",
                "Pilih minimal satu status yang dihitung hadir.",
                "Choose at least one status that counts as present.",
            ));
        }
        let min_attendance_pct = parse_number("Minimal kehadiran", &self.min_attendance_pct, 0, 100)?;
        if min_attendance_pct < self.attendance_floor {
            return Err(AppError::invalid(
                "Minimal kehadiran",
                format!(
                    "Minimal kehadiran: paling rendah {}%. Batas ini ditetapkan admin untuk seluruh sistem, agar \
                     sertifikat hanya terbit bagi peserta yang benar-benar mengikuti diklat.",
                    self.attendance_floor
                ),
                format!(
                    "Minimum attendance: at least {}%. An admin sets this floor for the whole system, so that \
                     certificates are only issued to participants who really took part in the training.",
                    self.attendance_floor
                ),
            ));
        }
        let tests_close_on = match self.tests_close_on.trim() {
            "" => None,
            typed => {
                let day = parse_date("Penutupan tes akhir", typed)?;
                if day < ends_on || day > ends_on + chrono::Duration::days(90) {
                    return Err(AppError::invalid(
                        "Penutupan tes akhir",
                        "Penutupan tes akhir: pilih tanggal dari hari terakhir diklat sampai 90 hari sesudahnya.",
                        "Final tests close on: choose a date from the last day of the training up to 90 days after it.",
                    ));
                }
                Some(day)
            }
        };
        Ok(DiklatFields {
            code: required("Kode", &self.code, 40)?.to_uppercase(),
            name: required("Nama diklat", &self.name, 200)?,
            description: Some(self.description.trim().to_string()).filter(|d| !d.is_empty()),
            venue: required("Tempat", &self.venue, 200)?,
            starts_on,
            ends_on,
            total_jp: parse_number("Total JP", &self.total_jp, 0, 500)?,
            status,
            min_attendance_pct,
            present_statuses: present.join(","),
            tests_close_on,
        })
    }
}

/// Whether `scope` lets its holder manage `d`. A diklat without a region is national.
pub fn scope_covers(scope: Scope, d: &diklat::Model) -> bool {
    match (scope, d.province_id, d.regency_id) {
        (Scope::National, _, _) => true,
        (Scope::Province(p), Some(dp), _) => p == dp,
        (Scope::Regency(r), _, Some(dr)) => r == dr,
        _ => false,
    }
}

/// The diklat `id`, when one of `scopes` covers it; otherwise NotFound (its existence is not revealed).
/// The diklat with this code (codes are unique).
pub async fn by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<diklat::Model, AppError> {
    diklat::Entity::find().filter(diklat::Column::Code.eq(code)).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn managed<C: ConnectionTrait>(db: &C, scopes: &[Scope], id: i32) -> Result<diklat::Model, AppError> {
    let d = diklat::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if scopes.iter().any(|s| scope_covers(*s, &d)) {
        Ok(d)
    } else {
        Err(AppError::NotFound)
    }
}

/// The region a new diklat belongs to: the caller's first management scope.
async fn region_of<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<(Option<i32>, Option<i32>), AppError> {
    Ok(match scope {
        Scope::National => (None, None),
        Scope::Province(p) => (Some(p), None),
        Scope::Regency(r) => {
            let reg = regency::Entity::find_by_id(r).one(db).await?.ok_or(AppError::NotFound)?;
            (Some(reg.province_id), Some(r))
        }
    })
}

/// Creates a diklat in the caller's region; returns its id.
pub async fn create_diklat<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    input: &DiklatInput,
) -> Result<i32, AppError> {
    let f = input.parse()?;
    let scope = *scopes.first().ok_or(AppError::Forbidden)?;
    let txn = db.begin().await?;
    let (province_id, regency_id) = region_of(&txn, scope).await?;
    let now = Utc::now();
    let row = diklat::ActiveModel {
        code: Set(f.code.clone()),
        name: Set(f.name),
        description: Set(f.description),
        venue: Set(f.venue),
        starts_on: Set(f.starts_on),
        ends_on: Set(f.ends_on),
        total_jp: Set(f.total_jp),
        status: Set(f.status),
        province_id: Set(province_id),
        regency_id: Set(regency_id),
        min_attendance_pct: Set(f.min_attendance_pct),
        require_pretests: Set(false),
        certificate_prefix: Set(format!("KKMP-{}", f.code)),
        next_certificate_seq: Set(1),
        created_by: Set(Some(caller.account_id)),
        created_at: Set(now),
        updated_at: Set(now),
        present_statuses: Set(f.present_statuses),
        tests_close_on: Set(f.tests_close_on),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        AppError::on_unique(
            e,
            "Kode",
            "Kode diklat ini sudah dipakai; pilih kode lain.",
            "This training code is already in use; choose another code.",
        )
    })?;
    set_rule_modules(&txn, row.id, &input.modules).await?;
    audit::record(&txn, Some(caller.account_id), "diklat.create", "diklat", Some(row.id.to_string()), None).await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Changes a diklat. Its dates may not leave any of its sessions outside them.
pub async fn update_diklat<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    id: i32,
    input: &DiklatInput,
) -> Result<(), AppError> {
    let f = input.parse()?;
    let txn = db.begin().await?;
    let d = managed(&txn, scopes, id).await?;
    let outside = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(id))
        .filter(
            diklat_session::Column::SessionDate.lt(f.starts_on).or(diklat_session::Column::SessionDate.gt(f.ends_on)),
        )
        .count(&txn)
        .await?;
    if outside > 0 {
        return Err(AppError::invalid(
            "Tanggal mulai",
            format!("{outside} sesi berada di luar tanggal baru; pindahkan atau hapus sesi itu dulu."),
            format!("{outside} session(s) fall outside the new dates; move or delete them first."),
        ));
    }
    let before = serde_json::json!({
        "status": d.status,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "min_attendance_pct": d.min_attendance_pct,
        "present_statuses": d.present_statuses,
        "tests_close_on": d.tests_close_on,
        "modules": crate::services::windows::modules_of(&txn, &d).await?,
    });
    let mut row = d.into_active_model();
    row.code = Set(f.code);
    row.name = Set(f.name);
    row.description = Set(f.description);
    row.venue = Set(f.venue);
    row.starts_on = Set(f.starts_on);
    row.ends_on = Set(f.ends_on);
    row.total_jp = Set(f.total_jp);
    row.status = Set(f.status);
    row.min_attendance_pct = Set(f.min_attendance_pct);
    row.present_statuses = Set(f.present_statuses);
    row.tests_close_on = Set(f.tests_close_on);
    row.updated_at = Set(Utc::now());
    row.update(&txn).await.map_err(|e| {
        AppError::on_unique(
            e,
            "Kode",
            "Kode diklat ini sudah dipakai; pilih kode lain.",
            "This training code is already in use; choose another code.",
        )
    })?;
    set_rule_modules(&txn, id, &input.modules).await?;
    audit::record(&txn, Some(caller.account_id), "diklat.update", "diklat", Some(id.to_string()), Some(before)).await?;
    super::stale::mark_stale(&txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the list of modules `diklat_id`'s rule requires (none: the modules of its sessions).
async fn set_rule_modules<C: ConnectionTrait>(db: &C, diklat_id: i32, modules: &[i32]) -> Result<(), AppError> {
    use crate::entities::{diklat_module, module};
    diklat_module::Entity::delete_many().filter(diklat_module::Column::DiklatId.eq(diklat_id)).exec(db).await?;
    let mut rows = Vec::new();
    for (i, id) in modules.iter().enumerate() {
        if module::Entity::find_by_id(*id).one(db).await?.is_none() {
            return Err(AppError::invalid(
                "Modul",
                "Modul yang dipilih tidak dikenal.",
                "The chosen module is unknown.",
            ));
        }
        rows.push(diklat_module::ActiveModel {
            diklat_id: Set(diklat_id),
            module_id: Set(*id),
            post_test_required: Set(true),
            sort_order: Set(i as i32),
            ..Default::default()
        });
    }
    if !rows.is_empty() {
        diklat_module::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// One line of the diklat list.
#[derive(Clone, Debug)]
pub struct DiklatRow {
    pub diklat: diklat::Model,
    pub sessions: u64,
    pub enrolled: u64,
}

/// The diklat the caller manages, newest first.
pub async fn list_managed<C: ConnectionTrait>(db: &C, scopes: &[Scope]) -> Result<Vec<DiklatRow>, AppError> {
    let all = diklat::Entity::find().order_by_desc(diklat::Column::StartsOn).all(db).await?;
    let mut rows = Vec::new();
    for d in all.into_iter().filter(|d| scopes.iter().any(|s| scope_covers(*s, d))) {
        let sessions =
            diklat_session::Entity::find().filter(diklat_session::Column::DiklatId.eq(d.id)).count(db).await?;
        let enrolled = enrolment::Entity::find()
            .filter(enrolment::Column::DiklatId.eq(d.id))
            .filter(enrolment::Column::Status.eq("enrolled"))
            .count(db)
            .await?;
        rows.push(DiklatRow { diklat: d, sessions, enrolled });
    }
    Ok(rows)
}

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
    super::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(id)
}

/// Finds or records the speaker (by exact name and institution); none when the name is empty.
async fn speaker<C: ConnectionTrait>(db: &C, name: &str, institution: &str) -> Result<Option<i32>, AppError> {
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
    super::stale::mark_stale(&txn, s.diklat_id).await?;
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

async fn session_rows<C: ConnectionTrait>(
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

fn by_time(q: sea_orm::Select<diklat_session::Entity>) -> sea_orm::Select<diklat_session::Entity> {
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
        .filter(enrolment::Column::Status.eq("enrolled"))
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

// ---------------------------------------------------------------------------------------------
// Enrolment

/// Who to enrol in bulk: everyone in scope matching all given filters.
#[derive(Clone, Debug, Default)]
pub struct BulkFilter {
    pub district_id: Option<i32>,
    pub village_id: Option<i32>,
    /// ketua, sekretaris, bendahara, pengawas
    pub position: Option<String>,
}

/// Person ids in `scopes` matching `filter` (people with a KKMP only).
async fn people_matching<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    filter: &BulkFilter,
) -> Result<Vec<i32>, AppError> {
    use sea_orm::sea_query::Query;
    let mut select = Query::select();
    select
        .column(("people", "id"))
        .from("people")
        .inner_join("cooperatives", Expr::col(("cooperatives", "id")).equals(("people", "cooperative_id")))
        .inner_join("villages", Expr::col(("villages", "id")).equals(("cooperatives", "village_id")))
        .inner_join("districts", Expr::col(("districts", "id")).equals(("villages", "district_id")))
        .inner_join("regencies", Expr::col(("regencies", "id")).equals(("districts", "regency_id")));
    select.cond_where(crate::services::people::region_condition(scopes));
    if let Some(d) = filter.district_id {
        select.and_where(Expr::col(("districts", "id")).eq(d));
    }
    if let Some(v) = filter.village_id {
        select.and_where(Expr::col(("villages", "id")).eq(v));
    }
    if let Some(p) = filter.position.as_deref().filter(|p| !p.is_empty()) {
        select.and_where(Expr::col(("people", "position")).eq(p));
    }
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(backend.build(&select)).await?;
    rows.iter().map(|r| r.try_get_by_index::<i32>(0).map_err(AppError::from)).collect()
}

/// Enrols everyone matching `filter` who is not enrolled yet; returns how many were added.
pub async fn enrol_bulk<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    diklat_id: i32,
    filter: &BulkFilter,
) -> Result<usize, AppError> {
    let txn = db.begin().await?;
    managed(&txn, scopes, diklat_id).await?;
    if filter.district_id.is_none()
        && filter.village_id.is_none()
        && filter.position.as_deref().unwrap_or("").is_empty()
    {
        return Err(AppError::invalid(
            "Kecamatan",
            "Pilih kecamatan, kelurahan atau jabatan untuk pendaftaran massal.",
            "Choose a kecamatan, kelurahan or position for bulk enrolment.",
        ));
    }
    let people = people_matching(&txn, scopes, filter).await?;
    let added = enrol_people(&txn, caller, diklat_id, &people).await?;
    let detail = serde_json::json!({ "added": added, "district_id": filter.district_id, "village_id": filter.village_id, "position": filter.position });
    audit::record(&txn, Some(caller.account_id), "enrolment.bulk", "diklat", Some(diklat_id.to_string()), Some(detail))
        .await?;
    super::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(added)
}

/// Enrols one person in scope (re-enrols a withdrawn one).
pub async fn enrol_one<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    diklat_id: i32,
    person_id: i32,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    managed(&txn, scopes, diklat_id).await?;
    crate::services::people::participant_in_scope(&txn, scopes, person_id).await?.ok_or(AppError::NotFound)?;
    let added = enrol_people(&txn, caller, diklat_id, &[person_id]).await?;
    if added == 0 {
        return Err(AppError::conflict("Peserta", "Orang ini sudah terdaftar.", "This person is already enrolled."));
    }
    audit::record(
        &txn,
        Some(caller.account_id),
        "enrolment.add",
        "diklat",
        Some(diklat_id.to_string()),
        Some(serde_json::json!({ "person_id": person_id })),
    )
    .await?;
    super::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(())
}

async fn enrol_people<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    diklat_id: i32,
    people: &[i32],
) -> Result<usize, AppError> {
    let existing: HashMap<i32, String> = enrolment::Entity::find()
        .select_only()
        .columns([enrolment::Column::PersonId, enrolment::Column::Status])
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let mut added = 0;
    let mut rejoin = Vec::new();
    let mut fresh = Vec::new();
    for &p in people {
        match existing.get(&p).map(String::as_str) {
            Some("enrolled") => {}
            Some(_) => rejoin.push(p),
            None => fresh.push(p),
        }
    }
    if !rejoin.is_empty() {
        added += rejoin.len();
        enrolment::Entity::update_many()
            .col_expr(enrolment::Column::Status, Expr::value("enrolled"))
            .col_expr(enrolment::Column::EnrolledAt, Expr::value(now))
            .col_expr(enrolment::Column::EnrolledBy, Expr::value(caller.account_id))
            .filter(enrolment::Column::DiklatId.eq(diklat_id))
            .filter(enrolment::Column::PersonId.is_in(rejoin))
            .exec(db)
            .await?;
    }
    for chunk in fresh.chunks(500) {
        added += chunk.len();
        enrolment::Entity::insert_many(chunk.iter().map(|&p| enrolment::ActiveModel {
            diklat_id: Set(diklat_id),
            person_id: Set(p),
            status: Set("enrolled".into()),
            enrolled_by: Set(Some(caller.account_id)),
            enrolled_at: Set(now),
            ..Default::default()
        }))
        .on_conflict(
            OnConflict::columns([enrolment::Column::DiklatId, enrolment::Column::PersonId]).do_nothing().to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(added)
}

/// Withdraws a person (their attendance stays on record).
pub async fn withdraw<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    diklat_id: i32,
    person_id: i32,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    managed(&txn, scopes, diklat_id).await?;
    let r = enrolment::Entity::update_many()
        .col_expr(enrolment::Column::Status, Expr::value("withdrawn"))
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        Some(caller.account_id),
        "enrolment.withdraw",
        "diklat",
        Some(diklat_id.to_string()),
        Some(serde_json::json!({ "person_id": person_id })),
    )
    .await?;
    super::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(())
}

/// An enrolled person with where they come from.
#[derive(Clone, Debug)]
pub struct Enrolled {
    pub person_id: i32,
    pub name: String,
    pub position: Option<String>,
    pub cooperative_id: Option<i32>,
    pub cooperative: String,
    pub village_id: Option<i32>,
    pub village: String,
    pub district: String,
    pub enrolled_at: DateTime<Utc>,
}

/// Everyone enrolled in a diklat, sorted by kecamatan, kelurahan, name.
pub async fn enrolled<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Vec<Enrolled>, AppError> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|e| e.person_id).collect();
    let mut people: HashMap<i32, person::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        people.extend(
            person::Entity::find()
                .filter(person::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p)),
        );
    }
    let coop_ids: HashSet<i32> = people.values().filter_map(|p| p.cooperative_id).collect();
    let coops: HashMap<i32, cooperative::Model> = cooperative::Entity::find()
        .filter(cooperative::Column::Id.is_in(coop_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let village_ids: HashSet<i32> = coops.values().map(|c| c.village_id).collect();
    let villages: HashMap<i32, village::Model> = village::Entity::find()
        .filter(village::Column::Id.is_in(village_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let district_ids: HashSet<i32> = villages.values().map(|v| v.district_id).collect();
    let districts: HashMap<i32, district::Model> = district::Entity::find()
        .filter(district::Column::Id.is_in(district_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut out: Vec<Enrolled> = rows
        .into_iter()
        .filter_map(|e| {
            let p = people.get(&e.person_id)?;
            let c = p.cooperative_id.and_then(|id| coops.get(&id));
            let v = c.and_then(|c| villages.get(&c.village_id));
            let d = v.and_then(|v| districts.get(&v.district_id));
            Some(Enrolled {
                person_id: p.id,
                name: p.full_name.clone(),
                position: p.position.clone(),
                cooperative_id: c.map(|c| c.id),
                cooperative: c.map(|c| c.name.clone()).unwrap_or_default(),
                village_id: v.map(|v| v.id),
                village: v.map(|v| v.name.clone()).unwrap_or_default(),
                district: d.map(|d| d.name.clone()).unwrap_or_default(),
                enrolled_at: e.enrolled_at,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.district, &a.village, &a.name).cmp(&(&b.district, &b.village, &b.name)));
    Ok(out)
}

/// The secret part of a peserta's calendar feed address (`/kalender/peserta/{id}-{token}.ics`):
/// calendar apps cannot sign in, so the address itself is the credential.
pub fn feed_token(key: &crate::secret::DataKey, person_id: i32) -> String {
    hex::encode(&key.mac("ics-person-feed", person_id.to_string().as_bytes())[..16])
}

/// How many KKMP the scopes cover (the denominator of enrolment coverage).
pub async fn cooperatives_in_scope<C: ConnectionTrait>(db: &C, scopes: &[Scope]) -> Result<u64, AppError> {
    use sea_orm::sea_query::Query;
    let mut select = Query::select();
    select
        .expr(Expr::col(("cooperatives", "id")).count())
        .from("cooperatives")
        .inner_join("villages", Expr::col(("villages", "id")).equals(("cooperatives", "village_id")))
        .inner_join("districts", Expr::col(("districts", "id")).equals(("villages", "district_id")))
        .inner_join("regencies", Expr::col(("regencies", "id")).equals(("districts", "regency_id")));
    select.cond_where(crate::services::people::region_condition(scopes));
    let backend = db.get_database_backend();
    let row = db.query_one_raw(backend.build(&select)).await?;
    Ok(row.map(|r| r.try_get_by_index::<i64>(0)).transpose()?.unwrap_or(0) as u64)
}

/// A person in scope by NIK (16 digits) or phone number: (id, name).
pub async fn find_person<C: ConnectionTrait>(db: &C, scopes: &[Scope], ident: &str) -> Result<(i32, String), AppError> {
    let ident = ident.trim();
    let digits: String = ident.chars().filter(char::is_ascii_digit).collect();
    let found = if digits.len() == 16 && !ident.starts_with('+') && !ident.starts_with("08") {
        person::Entity::find().filter(person::Column::Nik.eq(digits)).one(db).await?
    } else {
        match crate::auth::ids::PhoneNumber::parse(ident) {
            Ok(phone) => person::Entity::find().filter(person::Column::Phone.eq(phone.as_str())).one(db).await?,
            Err(_) => {
                return Err(AppError::invalid(
                    "NIK atau nomor HP",
                    "Isi NIK (16 angka) atau nomor HP peserta.",
                    "Enter the participant's NIK (16 digits) or phone number.",
                ));
            }
        }
    };
    let not_found = || {
        AppError::invalid(
            "NIK atau nomor HP",
            "Tidak ada peserta dengan NIK atau nomor HP itu di wilayah Anda.",
            "There is no participant with that NIK or phone number in your region.",
        )
    };
    let p = found.ok_or_else(not_found)?;
    crate::services::people::participant_in_scope(db, scopes, p.id).await?.ok_or_else(not_found)?;
    Ok((p.id, p.full_name))
}

/// Whether `person_id` is enrolled (not withdrawn) in `diklat_id`; with the enrolment time.
pub async fn enrolment_of<C: ConnectionTrait>(
    db: &C,
    diklat_id: i32,
    person_id: i32,
) -> Result<Option<enrolment::Model>, AppError> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wib_time_is_seven_hours_ahead_of_utc() {
        let d = NaiveDate::from_ymd_opt(2025, 10, 13).unwrap();
        let t = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        assert_eq!(wib_instant(d, t).to_rfc3339(), "2025-10-13T01:00:00+00:00");
        assert_eq!(today_wib(wib_instant(d, NaiveTime::from_hms_opt(23, 30, 0).unwrap())), d);
    }

    #[test]
    fn times_are_read_the_ways_people_type_them() {
        assert_eq!(parse_time("Jam mulai", "08:00").unwrap(), NaiveTime::from_hms_opt(8, 0, 0).unwrap());
        assert_eq!(parse_time("Jam mulai", "8.30").unwrap(), NaiveTime::from_hms_opt(8, 30, 0).unwrap());
        let e = parse_time("Jam mulai", "jam delapan").unwrap_err();
        assert!(e.public_message().contains("Jam mulai"));
    }
}
