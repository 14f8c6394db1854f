//! The people behind the figures, the certified list for exports, and the filter's diklat.

use super::filter::conditions;
use crate::{
    auth::Scope,
    entities::{diklat, district, regency, village},
    AppError,
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};

use super::{
    area::Area,
    coverage::children,
    filter::{Filter, PersonStatus, VALID_CERT},
};
use crate::services::sql::stmt;

/// One participant in one diklat, as an official sees them: no phone, e-mail or NIK.
#[derive(Clone, Debug, PartialEq, sea_orm::FromQueryResult)]
pub struct PersonLine {
    pub person_id: i32,
    pub diklat_id: i32,
    pub province_id: i32,
    pub regency_id: i32,
    pub district_id: i32,
    pub village_id: i32,
    pub name: String,
    pub position: Option<types::Jabatan>,
    pub kkmp: String,
    pub village: String,
    pub district: String,
    pub diklat: String,
    pub sessions: i32,
    pub present: i32,
    pub attendance_ok: bool,
    pub eligible: bool,
    pub pre_mean: Option<f64>,
    pub post_mean: Option<f64>,
    pub certificate_id: Option<i32>,
    pub certificate_number: Option<String>,
    pub certificate_code: Option<String>,
    pub certificate_status: Option<types::CertificateStatus>,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl PersonLine {
    pub fn attendance_percent(&self) -> u32 {
        crate::services::attendance::Rate { held: self.sessions.max(0) as usize, present: self.present.max(0) as usize }
            .percent()
    }

    /// The certificate's standing on `today`, when one exists.
    pub fn certificate_standing(&self, today: NaiveDate) -> Option<types::CertificateStanding> {
        Some(types::CertificateStanding::of(self.certificate_status?, self.expires_on, today))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PeoplePage {
    pub rows: Vec<PersonLine>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub(super) const PEOPLE_FROM: &str = "FROM standings s \
    JOIN people p ON p.id = s.person_id \
    JOIN cooperatives k ON k.id = s.cooperative_id \
    JOIN villages v ON v.id = s.village_id \
    JOIN districts dd ON dd.id = s.district_id \
    JOIN diklat dk ON dk.id = s.diklat_id \
    LEFT JOIN certificates c ON c.diklat_id = s.diklat_id AND c.person_id = s.person_id";

pub(super) const PEOPLE_COLUMNS: &str =
    "s.person_id, s.diklat_id, s.province_id, s.regency_id, s.district_id, s.village_id, \
    p.full_name AS name, s.position, k.name AS kkmp, \
    v.name AS village, dd.name AS district, dk.name AS diklat, s.sessions, s.present, s.attendance_ok, s.eligible, \
    s.pre_mean, s.post_mean, c.id AS certificate_id, c.number AS certificate_number, \
    c.verification_code AS certificate_code, c.status AS certificate_status, c.issued_at, c.revoked_at, c.expires_on";

/// The people filter: area, diklat, jabatan, status, name.
pub(super) fn people_conditions(area: Area, filter: &Filter, today: NaiveDate) -> (String, Vec<Value>) {
    let (mut cond, mut values) = conditions(area, filter, true);
    let valid = format!("(c.id IS NOT NULL AND {VALID_CERT})");
    match filter.status {
        Some(PersonStatus::Certified) => {
            cond.push_str(&format!(" AND {valid}"));
            values.push(today.into());
        }
        Some(PersonStatus::Eligible) => {
            cond.push_str(&format!(" AND s.eligible AND NOT {valid}"));
            values.push(today.into());
        }
        Some(PersonStatus::NotYet) => {
            cond.push_str(&format!(" AND NOT s.eligible AND NOT {valid}"));
            values.push(today.into());
        }
        None => {}
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        cond.push_str(" AND LOWER(p.full_name) LIKE ? ESCAPE '\\'");
        values.push(format!("%{escaped}%").into());
    }
    (cond, values)
}

/// A page of participants, by kecamatan, kelurahan and name.
pub async fn people<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
    page: u64,
    per_page: u64,
) -> Result<PeoplePage, AppError> {
    let backend = db.get_database_backend();
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let (cond, values) = people_conditions(area, filter, today);
    let count_sql = format!("SELECT COUNT(*) AS n {PEOPLE_FROM} WHERE {cond}");
    let total: i64 = db
        .query_one_raw(stmt(backend, &count_sql, values.clone()))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let sql = format!(
        "SELECT {PEOPLE_COLUMNS} {PEOPLE_FROM} WHERE {cond} \
         ORDER BY dd.name, v.name, p.full_name, s.person_id, s.diklat_id LIMIT ? OFFSET ?"
    );
    let mut values = values;
    values.push((per_page as i64).into());
    values.push((((page - 1) * per_page) as i64).into());
    use sea_orm::FromQueryResult;
    let rows = PersonLine::find_by_statement(stmt(backend, &sql, values)).all(db).await?;
    Ok(PeoplePage { rows, total: total as u64, page, per_page })
}

/// A batch of the certified list: the lines, and where the next batch starts (none: the end).
pub struct CertifiedBatch {
    pub lines: Vec<PersonLine>,
    pub next: Option<i32>,
}

/// The certified participants after certificate id `after`, in certificate order, about
/// `limit` at a time: for exports that stream, each batch one bounded read.
///
/// For a kabupaten/kota or smaller, the area's standings (region index) pick the next
/// certificates. For a province or the country, that join makes the planner hash every row
/// per batch (1.2 s on PostgreSQL at national size), so the batch walks the certificates by id
/// instead (primary key range) and keeps those in the area and filter.
pub async fn certified_batch<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
    after: i32,
    limit: u64,
) -> Result<CertifiedBatch, AppError> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let filter = Filter { status: Some(PersonStatus::Certified), ..filter.clone() };
    let (cond, mut values) = people_conditions(area, &filter, today);
    if matches!(area, Area::National | Area::Province(_)) {
        let ids: Vec<i32> = db
            .query_all_raw(stmt(
                backend,
                &format!("SELECT c.id FROM certificates c WHERE c.id > ? AND {VALID_CERT} ORDER BY c.id LIMIT ?"),
                vec![after.into(), today.into(), (limit as i64).into()],
            ))
            .await?
            .iter()
            .map(|r| r.try_get::<i32>("", "id"))
            .collect::<Result<_, _>>()?;
        let Some(&last) = ids.last() else { return Ok(CertifiedBatch { lines: vec![], next: None }) };
        let list = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
        let sql = format!("SELECT {PEOPLE_COLUMNS} {PEOPLE_FROM} WHERE {cond} AND c.id IN ({list}) ORDER BY c.id");
        let lines = PersonLine::find_by_statement(stmt(backend, &sql, values)).all(db).await?;
        let next = (ids.len() as u64 == limit).then_some(last);
        return Ok(CertifiedBatch { lines, next });
    }
    let sql = format!("SELECT {PEOPLE_COLUMNS} {PEOPLE_FROM} WHERE {cond} AND c.id > ? ORDER BY c.id LIMIT ?");
    values.push(after.into());
    values.push((limit as i64).into());
    let lines = PersonLine::find_by_statement(stmt(backend, &sql, values)).all(db).await?;
    let next = if lines.len() as u64 == limit { lines.last().and_then(|l| l.certificate_id) } else { None };
    Ok(CertifiedBatch { lines, next })
}

/// The child areas of `area` a certified list is split by (one XLSX sheet each): (id, name).
pub async fn sheets_of<C: ConnectionTrait>(db: &C, area: Area) -> Result<Vec<(i32, String)>, AppError> {
    Ok(children(db, area).await?.into_iter().map(|(id, _, name)| (id, name)).collect())
}

/// The child area of `area` a person line belongs to (matching [`sheets_of`]).
pub fn child_of(area: Area, line: &PersonLine) -> i32 {
    match area {
        Area::National => line.province_id,
        Area::Province(_) => line.regency_id,
        Area::Regency(_) => line.district_id,
        Area::District(_) | Area::Village(_) => line.village_id,
    }
}

/// How many diklat the filter offers (the newest of the area; the chosen one always).
pub const DIKLAT_CHOICES: u64 = 50;

/// The diklat a filter may choose from: organised in `area` (a kecamatan or desa: its
/// kabupaten/kota) and within `scopes`, newest first, at most [`DIKLAT_CHOICES`] plus `selected`.
pub async fn diklat_choices<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    area: Area,
    selected: Option<i32>,
) -> Result<Vec<(i32, String)>, AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let regency_of_district = |id: i32| async move {
        Ok::<_, AppError>(district::Entity::find_by_id(id).one(db).await?.map(|d| d.regency_id).unwrap_or(0))
    };
    let mut query = diklat::Entity::find().order_by_desc(diklat::Column::StartsOn).order_by_desc(diklat::Column::Id);
    query = match area {
        Area::National => query,
        Area::Province(p) => {
            let regencies = regency::Entity::find().filter(regency::Column::ProvinceId.eq(p)).all(db).await?;
            query.filter(
                sea_orm::Condition::any()
                    .add(diklat::Column::ProvinceId.eq(p))
                    .add(diklat::Column::RegencyId.is_in(regencies.into_iter().map(|r| r.id))),
            )
        }
        Area::Regency(r) => query.filter(diklat::Column::RegencyId.eq(r)),
        Area::District(d) => query.filter(diklat::Column::RegencyId.eq(regency_of_district(d).await?)),
        Area::Village(v) => {
            let d = village::Entity::find_by_id(v).one(db).await?.map(|v| v.district_id).unwrap_or(0);
            query.filter(diklat::Column::RegencyId.eq(regency_of_district(d).await?))
        }
    };
    let mut rows = query.limit(DIKLAT_CHOICES).all(db).await?;
    if let Some(id) = selected.filter(|id| !rows.iter().any(|d| d.id == *id)) {
        rows.extend(diklat::Entity::find_by_id(id).one(db).await?);
    }
    // The same rule as every other diklat page (`schedule::scope_covers`).
    Ok(rows
        .into_iter()
        .filter(|d| scopes.iter().any(|s| crate::services::schedule::scope_covers(*s, d)))
        .map(|d| (d.id, d.name))
        .collect())
}
