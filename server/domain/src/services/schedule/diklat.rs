//! A diklat (angkatan): its form read and checked, created and changed within the caller's region.

use crate::{
    auth::{Caller, Scope},
    entities::{diklat, diklat_session, enrolment, regency},
    services::audit,
    AppError,
};
use chrono::{NaiveDate, NaiveTime, Utc};
use sea_orm::{
    sea_query::ExprTrait, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set, TransactionSession, TransactionTrait,
};

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

pub(super) struct DiklatFields {
    code: String,
    name: String,
    description: Option<String>,
    venue: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    total_jp: i32,
    status: types::DiklatStatus,
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

pub(super) fn parse_number(field: &str, value: &str, min: i32, max: i32) -> Result<i32, AppError> {
    match value.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(
            field,
            format!("{field}: isi angka {min}–{max}."),
            format!("{field}: enter a number from {min} to {max}."),
        )),
    }
}

pub(super) fn required(field: &str, value: &str, max: usize) -> Result<String, AppError> {
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
        let Some(status) = types::DiklatStatus::from_code(self.status.trim()) else {
            return Err(AppError::invalid("Status", "Status tidak dikenal.", "Unknown status."));
        };
        let mut present: Vec<&str> = Vec::new();
        for s in &self.present_statuses {
            let s = s.trim();
            if !crate::services::status::Status::ALL.iter().any(|st| st.code() == s) {
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
pub(super) async fn region_of<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
) -> Result<(Option<i32>, Option<i32>), AppError> {
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
        "status": d.status.code(),
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
    crate::services::stale::mark_stale(&txn, id).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the list of modules `diklat_id`'s rule requires (none: the modules of its sessions).
pub(super) async fn set_rule_modules<C: ConnectionTrait>(
    db: &C,
    diklat_id: i32,
    modules: &[i32],
) -> Result<(), AppError> {
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
            .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
            .count(db)
            .await?;
        rows.push(DiklatRow { diklat: d, sessions, enrolled });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::clock::{today_wib, wib_instant};

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
