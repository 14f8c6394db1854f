//! Attendance reports per session and per diklat, and marks imported from a paper list or CSV.

use super::marks::{managed_session, marks_of, rates, save_marks, GridResult, Mark};
use super::{Source, Status};
use crate::{
    auth::{Caller, Scope},
    entities::diklat,
    error::Text,
    services::schedule,
    AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use std::collections::HashMap;

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
                jabatan_label(e.position),
                e.cooperative,
                e.village,
                e.district,
                m.map(|m| m.status.code().to_string()).unwrap_or_default(),
                m.and_then(|m| m.note.clone()).unwrap_or_default(),
                m.and_then(|m| m.reason.clone()).unwrap_or_default(),
                m.map(|m| m.source.labels().0.to_string()).unwrap_or_default(),
                m.map(|m| m.marked_at.with_timezone(&schedule::wib()).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect())
}

/// A jabatan as the reports name it ("Ketua").
pub(super) fn jabatan_label(jabatan: Option<types::Jabatan>) -> String {
    jabatan.map_or("", |j| j.labels().0).to_string()
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
                jabatan_label(e.position),
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
