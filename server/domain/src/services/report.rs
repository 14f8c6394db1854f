//! The officials' reports: who is certified, coverage per region, readiness per KKMP, learning.
//!
//! Aggregates come from the `standings` summary (one row per enrolled participant and diklat,
//! with the region copied in) left-joined to `certificates`, grouped in SQL — never from rows
//! loaded into Rust. A diklat's rows are rewritten by [`refresh`] whenever it is marked stale
//! ([`super::stale::mark_stale`], called by every service that changes attendance, sessions, enrolment, the
//! rule, quiz results or a participant's KKMP). Certificates are read live, so a revocation
//! counts at once.
//!
//! A certificate counts when it is valid and not expired. A KKMP is **siap** when at least one
//! of its pengurus and one of its pengawas hold one (the program trains one of each per KKMP),
//! **sebagian** when only one side does.

use crate::{
    auth::Scope,
    entities::{diklat, district, province, regency, standing, standing_grade, village},
    services::certificates,
    AppError,
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait, Value};
use std::collections::HashMap;

use super::sql::stmt;

pub const PENGURUS: &[&str] = &["ketua", "wakil_ketua", "sekretaris", "bendahara"];
pub const PENGAWAS: &[&str] = &["ketua_pengawas", "anggota_pengawas"];

fn quoted_list(values: &[&str]) -> String {
    values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// Keeping the summary fresh (marked stale by `super::stale`)

/// Rewrites one diklat's standings. The stale mark is cleared *before* reading, so a change
/// made while this runs marks it again rather than being lost.
pub async fn refresh<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<usize, AppError> {
    let backend = write.get_database_backend();
    write
        .execute_raw(stmt(backend, "UPDATE diklat SET standings_stale = FALSE WHERE id = ?", vec![d.id.into()]))
        .await?;
    let result = rewrite(read, write, d, modules).await;
    if result.is_err() {
        super::stale::mark_stale(write, d.id).await.ok();
    }
    result
}

async fn rewrite<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<usize, AppError> {
    let rows = certificates::standings(read, d, modules).await?;
    // village → (district, regency, province)
    let village_ids: Vec<i32> = {
        let mut v: Vec<i32> = rows.iter().filter_map(|s| s.village_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut places: HashMap<i32, (i32, i32, i32)> = HashMap::new();
    for chunk in village_ids.chunks(500) {
        let villages = village::Entity::find().filter(village::Column::Id.is_in(chunk.to_vec())).all(read).await?;
        let district_ids: Vec<i32> = villages.iter().map(|v| v.district_id).collect();
        let districts: HashMap<i32, district::Model> = district::Entity::find()
            .filter(district::Column::Id.is_in(district_ids))
            .all(read)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let regency_ids: Vec<i32> = districts.values().map(|d| d.regency_id).collect();
        let regencies: HashMap<i32, regency::Model> = regency::Entity::find()
            .filter(regency::Column::Id.is_in(regency_ids))
            .all(read)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        for v in villages {
            if let Some(dist) = districts.get(&v.district_id) {
                if let Some(r) = regencies.get(&dist.regency_id) {
                    places.insert(v.id, (dist.id, r.id, r.province_id));
                }
            }
        }
    }
    let mut standing_rows = Vec::with_capacity(rows.len());
    let mut grade_rows = Vec::new();
    for s in &rows {
        // Someone without a KKMP has no place in a regional report.
        let (Some(cooperative_id), Some(village_id)) = (s.cooperative_id, s.village_id) else { continue };
        let Some(&(district_id, regency_id, province_id)) = places.get(&village_id) else { continue };
        let mean = |v: Vec<f64>| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        standing_rows.push(standing::ActiveModel {
            diklat_id: sea_orm::Set(d.id),
            person_id: sea_orm::Set(s.person_id),
            cooperative_id: sea_orm::Set(cooperative_id),
            village_id: sea_orm::Set(village_id),
            district_id: sea_orm::Set(district_id),
            regency_id: sea_orm::Set(regency_id),
            province_id: sea_orm::Set(province_id),
            position: sea_orm::Set(s.position.clone()),
            sessions: sea_orm::Set(s.sessions as i32),
            present: sea_orm::Set(s.present as i32),
            attendance_ok: sea_orm::Set(s.attendance_ok),
            posts_passed: sea_orm::Set(s.post_missing.is_empty()),
            eligible: sea_orm::Set(s.eligible()),
            pre_mean: sea_orm::Set(mean(s.grades.iter().filter_map(|g| g.pre).collect())),
            post_mean: sea_orm::Set(mean(s.grades.iter().filter_map(|g| g.post).collect())),
        });
        for g in s.grades.iter().filter(|g| g.pre.is_some() || g.post.is_some()) {
            grade_rows.push(standing_grade::ActiveModel {
                diklat_id: sea_orm::Set(d.id),
                person_id: sea_orm::Set(s.person_id),
                module_id: sea_orm::Set(g.module_id),
                pre: sea_orm::Set(g.pre),
                post: sea_orm::Set(g.post),
            });
        }
    }
    let count = standing_rows.len();
    let backend = write.get_database_backend();
    let txn = write.begin().await?;
    // Two refreshes of one diklat (the background task and a page) take turns on its row; the
    // second then deletes what the first wrote instead of colliding with it.
    txn.execute_raw(stmt(
        backend,
        "UPDATE diklat SET standings_stale = standings_stale WHERE id = ?",
        vec![d.id.into()],
    ))
    .await?;
    standing::Entity::delete_many().filter(standing::Column::DiklatId.eq(d.id)).exec(&txn).await?;
    standing_grade::Entity::delete_many().filter(standing_grade::Column::DiklatId.eq(d.id)).exec(&txn).await?;
    // Chunks stay under SQLite's limit of bound parameters per statement.
    let mut rest = standing_rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(500));
        standing::Entity::insert_many(rest).exec_without_returning(&txn).await?;
        rest = tail;
    }
    let mut rest = grade_rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(1000));
        standing_grade::Entity::insert_many(rest).exec_without_returning(&txn).await?;
        rest = tail;
    }
    txn.commit().await?;
    Ok(count)
}

/// Refreshes the diklat marked stale (at most `limit` of them); returns how many were refreshed.
pub async fn refresh_stale<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    modules: &[(i32, String)],
    limit: Option<u64>,
) -> Result<usize, AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let stale = diklat::Entity::find()
        .filter(sea_orm::sea_query::Expr::cust("standings_stale = TRUE"))
        .order_by_asc(diklat::Column::Id)
        .limit(limit)
        .all(read)
        .await?;
    for d in &stale {
        refresh(read, write, d, modules).await?;
    }
    Ok(stale.len())
}

// ---------------------------------------------------------------------------------------------
// Where a report looks

/// A level of the region tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    National,
    Province(i32),
    Regency(i32),
    District(i32),
    Village(i32),
}

impl Area {
    /// The standings column of this level's own id (none for the whole country).
    fn column(self) -> Option<(&'static str, i32)> {
        match self {
            Area::National => None,
            Area::Province(id) => Some(("province_id", id)),
            Area::Regency(id) => Some(("regency_id", id)),
            Area::District(id) => Some(("district_id", id)),
            Area::Village(id) => Some(("village_id", id)),
        }
    }

    /// The standings column of the level below (a village is its own only child).
    fn child_column(self) -> &'static str {
        match self {
            Area::National => "province_id",
            Area::Province(_) => "regency_id",
            Area::Regency(_) => "district_id",
            Area::District(_) | Area::Village(_) => "village_id",
        }
    }

    /// The name of the level below, for headings: "Provinsi", "Kabupaten/Kota", …
    pub fn child_label(self) -> &'static str {
        match self {
            Area::National => "Provinsi",
            Area::Province(_) => "Kabupaten/Kota",
            Area::Regency(_) => "Kecamatan",
            Area::District(_) | Area::Village(_) => "Kelurahan/Desa",
        }
    }

    /// Whether people are listed at this level (from a kabupaten/kota down; above it only when
    /// searching by name, so a national page never sorts 800,000 names).
    pub fn lists_people(self) -> bool {
        matches!(self, Area::Regency(_) | Area::District(_) | Area::Village(_))
    }
}

/// A resolved area: its code, name and the trail above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub area: Area,
    pub code: String,
    pub name: String,
    /// From the top down to this place: (code, name); the code of the whole country is "".
    pub trail: Vec<(String, String)>,
}

/// Finds the area of a region `code` (BPS: 2, 4, 7 or 10 digits) and checks that `scopes`
/// cover it; `None` is the widest area the scopes allow.
pub async fn place<C: ConnectionTrait>(db: &C, code: Option<&str>, scopes: &[Scope]) -> Result<Place, AppError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let Some(code) = code else {
        return default_place(db, scopes).await;
    };
    let mut trail = Vec::new();
    let (area, name, province_id, regency_id) = match code.len() {
        2 => {
            let p = province::Entity::find()
                .filter(province::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            (Area::Province(p.id), p.name, p.id, None)
        }
        4 => {
            let r = regency::Entity::find()
                .filter(regency::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            (Area::Regency(r.id), r.name, r.province_id, Some(r.id))
        }
        7 => {
            let d = district::Entity::find()
                .filter(district::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            let r = regency::Entity::find_by_id(d.regency_id).one(db).await?.ok_or(AppError::NotFound)?;
            (Area::District(d.id), d.name, r.province_id, Some(r.id))
        }
        10 => {
            let v = village::Entity::find()
                .filter(village::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or(AppError::NotFound)?;
            let d = district::Entity::find_by_id(v.district_id).one(db).await?.ok_or(AppError::NotFound)?;
            let r = regency::Entity::find_by_id(d.regency_id).one(db).await?.ok_or(AppError::NotFound)?;
            trail.push((d.code, d.name));
            (Area::Village(v.id), v.name, r.province_id, Some(r.id))
        }
        _ => return Err(AppError::invalid("wilayah", "Kode wilayah tidak dikenal.", "Unknown region code.")),
    };
    let allowed = scopes.iter().any(|s| match (*s, regency_id) {
        (Scope::National, _) => true,
        (Scope::Province(p), _) => p == province_id,
        (Scope::Regency(r), Some(rid)) => r == rid,
        (Scope::Regency(_), None) => false,
    });
    if !allowed {
        return Err(AppError::Forbidden);
    }
    // The trail: the country, the province, the regency, the district — as far as the scopes reach.
    let mut full = Vec::new();
    if scopes.contains(&Scope::National) {
        full.push((String::new(), "Nasional".to_string()));
    }
    let p = province::Entity::find_by_id(province_id).one(db).await?.ok_or(AppError::NotFound)?;
    let sees_province = scopes.iter().any(|s| matches!(s, Scope::National) || *s == Scope::Province(province_id));
    if sees_province && !matches!(area, Area::Province(_)) {
        full.push((p.code, p.name));
    }
    if let (Some(rid), false) = (regency_id, matches!(area, Area::Regency(_))) {
        let r = regency::Entity::find_by_id(rid).one(db).await?.ok_or(AppError::NotFound)?;
        full.push((r.code, r.name));
    }
    full.extend(trail);
    Ok(Place { area, code: code.to_string(), name, trail: full })
}

/// The widest area the scopes allow, skipping levels with a single area below them (a
/// deployment that holds one province and one kota opens at its kecamatan).
async fn default_place<C: ConnectionTrait>(db: &C, scopes: &[Scope]) -> Result<Place, AppError> {
    use sea_orm::PaginatorTrait;
    let mut code = if scopes.contains(&Scope::National) {
        let provinces = province::Entity::find().all(db).await?;
        match provinces.as_slice() {
            [only] => Some(only.code.clone()),
            _ => {
                return Ok(Place { area: Area::National, code: String::new(), name: "Nasional".into(), trail: vec![] })
            }
        }
    } else if let Some(p) = scopes.iter().find_map(|s| if let Scope::Province(p) = s { Some(*p) } else { None }) {
        Some(province::Entity::find_by_id(p).one(db).await?.ok_or(AppError::NotFound)?.code)
    } else if let Some(r) = scopes.iter().find_map(|s| if let Scope::Regency(r) = s { Some(*r) } else { None }) {
        Some(regency::Entity::find_by_id(r).one(db).await?.ok_or(AppError::NotFound)?.code)
    } else {
        return Err(AppError::Forbidden);
    };
    if let Some(p) = code.as_deref().filter(|c| c.len() == 2) {
        let p =
            province::Entity::find().filter(province::Column::Code.eq(p)).one(db).await?.ok_or(AppError::NotFound)?;
        let regencies = regency::Entity::find().filter(regency::Column::ProvinceId.eq(p.id));
        if regencies.clone().count(db).await? == 1 {
            code = regencies.one(db).await?.map(|r| r.code);
        }
    }
    let code = code.ok_or(AppError::NotFound)?;
    Box::pin(place(db, Some(&code), scopes)).await
}

/// The place and filter a request asks for, checked against the caller's report scopes.
pub async fn resolve<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    params: &Params,
) -> Result<(Place, Filter), AppError> {
    let filter = params.filter()?;
    let place = place(db, params.wilayah.as_deref(), scopes).await?;
    Ok((place, filter))
}

// ---------------------------------------------------------------------------------------------
// Filters

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Jabatan {
    Pengurus,
    Pengawas,
}

impl Jabatan {
    pub fn parse(code: &str) -> Option<Jabatan> {
        match code {
            "pengurus" => Some(Jabatan::Pengurus),
            "pengawas" => Some(Jabatan::Pengawas),
            _ => None,
        }
    }

    fn positions(self) -> &'static [&'static str] {
        match self {
            Jabatan::Pengurus => PENGURUS,
            Jabatan::Pengawas => PENGAWAS,
        }
    }
}

/// Where a participant is, for the person filter and the people list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonStatus {
    /// Holds a valid certificate.
    Certified,
    /// Meets the rule, no valid certificate (yet, or revoked).
    Eligible,
    /// Does not meet the rule.
    NotYet,
}

impl PersonStatus {
    pub fn parse(code: &str) -> Option<PersonStatus> {
        match code {
            "bersertifikat" => Some(PersonStatus::Certified),
            "memenuhi" => Some(PersonStatus::Eligible),
            "belum" => Some(PersonStatus::NotYet),
            _ => None,
        }
    }
}

/// What a report covers beyond its area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub diklat_id: Option<i32>,
    pub jabatan: Option<Jabatan>,
    /// For the people list and its exports only.
    pub status: Option<PersonStatus>,
    /// Part of a name (people list only).
    pub q: Option<String>,
}

/// A report's query string as it arrives (`?diklat=&wilayah=&jabatan=&status=&q=&hal=`): every
/// report page and export reads the same parameters, so a URL can be shared.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Params {
    pub diklat: Option<String>,
    pub wilayah: Option<String>,
    pub jabatan: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    pub hal: Option<String>,
}

impl Params {
    /// The filter these parameters ask for; a value that is not one of the choices is an error
    /// naming the parameter.
    pub fn filter(&self) -> Result<Filter, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let diklat_id = given(&self.diklat)
            .map(|d| {
                d.parse::<i32>().map_err(|_| {
                    AppError::invalid("diklat", "Diklat: pilihan tidak dikenal.", "Training: unknown choice.")
                })
            })
            .transpose()?;
        let jabatan = given(&self.jabatan)
            .map(|j| {
                Jabatan::parse(&j).ok_or_else(|| {
                    AppError::invalid(
                        "jabatan",
                        "Jabatan: pilih pengurus atau pengawas.",
                        "Position: choose board (pengurus) or supervisors (pengawas).",
                    )
                })
            })
            .transpose()?;
        let status = given(&self.status)
            .map(|s| {
                PersonStatus::parse(&s).ok_or_else(|| {
                    AppError::invalid(
                        "status",
                        "Status: pilih bersertifikat, memenuhi atau belum.",
                        "Status: choose certified, eligible or not yet.",
                    )
                })
            })
            .transpose()?;
        let q = given(&self.q);
        if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
            return Err(AppError::invalid(
                "q",
                "Cari nama: paling banyak 100 karakter.",
                "Search by name: at most 100 characters.",
            ));
        }
        Ok(Filter { diklat_id, jabatan, status, q })
    }

    /// The 1-based page asked for.
    pub fn page(&self) -> u64 {
        self.hal.as_deref().and_then(|h| h.trim().parse().ok()).unwrap_or(1).max(1)
    }
}

const VALID_CERT: &str = "c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= ?)";

/// WHERE conditions on `standings s` for an area and filter, with their values.
fn conditions(area: Area, filter: &Filter, with_jabatan: bool) -> (String, Vec<Value>) {
    let mut parts = vec!["1 = 1".to_string()];
    let mut values: Vec<Value> = Vec::new();
    if let Some((col, id)) = area.column() {
        parts.push(format!("s.{col} = ?"));
        values.push(id.into());
    }
    if let Some(d) = filter.diklat_id {
        parts.push("s.diklat_id = ?".into());
        values.push(d.into());
    }
    if let (Some(j), true) = (filter.jabatan, with_jabatan) {
        parts.push(format!("s.position IN ({})", quoted_list(j.positions())));
    }
    (parts.join(" AND "), values)
}

// ---------------------------------------------------------------------------------------------
// Coverage

/// Counts for one area (a row of the coverage table, or the headline).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub enrolled: i64,
    /// Attendance at or above the diklat's minimum.
    pub attended: i64,
    /// Every post-test passed.
    pub passed: i64,
    /// Meets the whole rule.
    pub eligible: i64,
    /// Holds a valid certificate.
    pub certified: i64,
    pub kkmp: i64,
    pub kkmp_ready: i64,
    pub kkmp_partial: i64,
}

impl Counts {
    pub fn kkmp_none(&self) -> i64 {
        self.kkmp - self.kkmp_ready - self.kkmp_partial
    }

    fn add(&mut self, o: &Counts) {
        self.enrolled += o.enrolled;
        self.attended += o.attended;
        self.passed += o.passed;
        self.eligible += o.eligible;
        self.certified += o.certified;
        self.kkmp += o.kkmp;
        self.kkmp_ready += o.kkmp_ready;
        self.kkmp_partial += o.kkmp_partial;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CoverageRow {
    pub code: String,
    pub name: String,
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub total: Counts,
    pub rows: Vec<CoverageRow>,
}

/// The areas one level below `area` (the village itself at the bottom): (id, code, name).
async fn children<C: ConnectionTrait>(db: &C, area: Area) -> Result<Vec<(i32, String, String)>, AppError> {
    use sea_orm::QueryOrder;
    Ok(match area {
        Area::National => province::Entity::find()
            .order_by_asc(province::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.code, p.name))
            .collect(),
        Area::Province(id) => regency::Entity::find()
            .filter(regency::Column::ProvinceId.eq(id))
            .order_by_asc(regency::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.code, r.name))
            .collect(),
        Area::Regency(id) => district::Entity::find()
            .filter(district::Column::RegencyId.eq(id))
            .order_by_asc(district::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.code, d.name))
            .collect(),
        Area::District(id) => village::Entity::find()
            .filter(village::Column::DistrictId.eq(id))
            .order_by_asc(village::Column::Name)
            .all(db)
            .await?
            .into_iter()
            .map(|v| (v.id, v.code, v.name))
            .collect(),
        Area::Village(id) => {
            village::Entity::find_by_id(id).all(db).await?.into_iter().map(|v| (v.id, v.code, v.name)).collect()
        }
    })
}

/// How many KKMP each child area has (all registered cooperatives, trained or not).
async fn kkmp_per_child<C: ConnectionTrait>(db: &C, area: Area) -> Result<HashMap<i32, i64>, AppError> {
    let (group, cond) = match area {
        // Every arm binds one value, so the country's condition takes (and ignores) one too.
        Area::National => ("r.province_id", "(1 = 1 OR r.id = ?)"),
        Area::Province(_) => ("r.id", "r.province_id = ?"),
        Area::Regency(_) => ("d.id", "r.id = ?"),
        Area::District(_) => ("v.id", "d.id = ?"),
        Area::Village(_) => ("v.id", "v.id = ?"),
    };
    let id = area.column().map(|(_, id)| id).unwrap_or(0);
    let sql = format!(
        "SELECT {group} AS area_id, COUNT(*) AS n FROM cooperatives k \
         JOIN villages v ON v.id = k.village_id JOIN districts d ON d.id = v.district_id \
         JOIN regencies r ON r.id = d.regency_id WHERE {cond} GROUP BY {group}"
    );
    let rows = db.query_all_raw(stmt(db.get_database_backend(), &sql, vec![id.into()])).await?;
    let mut out = HashMap::new();
    for row in rows {
        out.insert(row.try_get::<i32>("", "area_id")?, row.try_get::<i64>("", "n")?);
    }
    Ok(out)
}

/// Coverage of `area` per child area, and its total.
pub async fn coverage<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Coverage, AppError> {
    let backend = db.get_database_backend();
    let child = area.child_column();
    let mut counts: HashMap<i32, Counts> = HashMap::new();

    let (cond, cond_values) = conditions(area, filter, true);
    let sql = format!(
        "SELECT s.{child} AS area_id, \
           COUNT(DISTINCT s.person_id) AS enrolled, \
           COUNT(DISTINCT CASE WHEN s.attendance_ok THEN s.person_id END) AS attended, \
           COUNT(DISTINCT CASE WHEN s.posts_passed THEN s.person_id END) AS passed, \
           COUNT(DISTINCT CASE WHEN s.eligible THEN s.person_id END) AS eligible, \
           COUNT(DISTINCT c.person_id) AS certified \
         FROM standings s LEFT JOIN certificates c ON c.diklat_id = s.diklat_id AND c.person_id = s.person_id \
           AND {VALID_CERT} \
         WHERE {cond} GROUP BY s.{child}"
    );
    let mut values: Vec<Value> = vec![today.into()];
    values.extend(cond_values);
    for row in db.query_all_raw(stmt(backend, &sql, values)).await? {
        let c = counts.entry(row.try_get::<i32>("", "area_id")?).or_default();
        c.enrolled = row.try_get("", "enrolled")?;
        c.attended = row.try_get("", "attended")?;
        c.passed = row.try_get("", "passed")?;
        c.eligible = row.try_get("", "eligible")?;
        c.certified = row.try_get("", "certified")?;
    }

    // Readiness ignores the jabatan filter: it is about both sides of the board.
    let (cond, cond_values) = conditions(area, filter, false);
    let sql = format!(
        "SELECT area_id, \
           SUM(CASE WHEN p = 1 AND w = 1 THEN 1 ELSE 0 END) AS ready, \
           SUM(CASE WHEN p + w = 1 THEN 1 ELSE 0 END) AS partial \
         FROM (SELECT s.{child} AS area_id, s.cooperative_id, \
                 MAX(CASE WHEN c.id IS NOT NULL AND s.position IN ({pengurus}) THEN 1 ELSE 0 END) AS p, \
                 MAX(CASE WHEN c.id IS NOT NULL AND s.position IN ({pengawas}) THEN 1 ELSE 0 END) AS w \
               FROM standings s LEFT JOIN certificates c ON c.diklat_id = s.diklat_id AND c.person_id = s.person_id \
                 AND {VALID_CERT} \
               WHERE {cond} GROUP BY s.{child}, s.cooperative_id) k \
         GROUP BY area_id",
        pengurus = quoted_list(PENGURUS),
        pengawas = quoted_list(PENGAWAS),
    );
    let mut values: Vec<Value> = vec![today.into()];
    values.extend(cond_values);
    for row in db.query_all_raw(stmt(backend, &sql, values)).await? {
        let c = counts.entry(row.try_get::<i32>("", "area_id")?).or_default();
        c.kkmp_ready = row.try_get::<Option<i64>>("", "ready")?.unwrap_or(0);
        c.kkmp_partial = row.try_get::<Option<i64>>("", "partial")?.unwrap_or(0);
    }

    let kkmp = kkmp_per_child(db, area).await?;
    let mut total = Counts::default();
    let mut rows = Vec::new();
    for (id, code, name) in children(db, area).await? {
        let mut c = counts.remove(&id).unwrap_or_default();
        c.kkmp = kkmp.get(&id).copied().unwrap_or(0);
        total.add(&c);
        rows.push(CoverageRow { code, name, counts: c });
    }
    Ok(Coverage { total, rows })
}

// ---------------------------------------------------------------------------------------------
// Learning

#[derive(Clone, Debug, PartialEq)]
pub struct LearningRow {
    /// A module id, or a child area's id.
    pub id: i32,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    /// Mean of (post − pre) over those who took both.
    pub gain: Option<f64>,
    /// How many post-test grades the means cover.
    pub takers: i64,
}

async fn learning_by<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
    group: &str,
) -> Result<Vec<LearningRow>, AppError> {
    let (cond, values) = conditions(area, filter, true);
    let sql = format!(
        "SELECT {group} AS id, AVG(g.pre) AS pre, AVG(g.post) AS post, AVG(g.post - g.pre) AS gain, \
           COUNT(g.post) AS takers \
         FROM standing_grades g JOIN standings s ON s.diklat_id = g.diklat_id AND s.person_id = g.person_id \
         WHERE {cond} GROUP BY {group} ORDER BY {group}"
    );
    let mut out = Vec::new();
    for row in db.query_all_raw(stmt(db.get_database_backend(), &sql, values)).await? {
        out.push(LearningRow {
            id: row.try_get("", "id")?,
            pre: row.try_get("", "pre")?,
            post: row.try_get("", "post")?,
            gain: row.try_get("", "gain")?,
            takers: row.try_get("", "takers")?,
        });
    }
    Ok(out)
}

/// Mean pre/post grades and gain per module.
pub async fn learning_per_module<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
) -> Result<Vec<LearningRow>, AppError> {
    learning_by(db, area, filter, "g.module_id").await
}

/// Mean pre/post grades and gain per child area (over every module).
pub async fn learning_per_child<C: ConnectionTrait>(
    db: &C,
    area: Area,
    filter: &Filter,
) -> Result<Vec<LearningRow>, AppError> {
    learning_by(db, area, filter, &format!("s.{}", area.child_column())).await
}

// ---------------------------------------------------------------------------------------------
// The figures of a page, cached

/// What every report page of an area and filter shows besides its people.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// When they were read: what the page's "data per" says.
    pub computed_at: chrono::DateTime<chrono::Utc>,
    pub coverage: Coverage,
    pub modules: Vec<LearningRow>,
    pub areas: Vec<LearningRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FiguresKey {
    area: Area,
    diklat_id: Option<i32>,
    jabatan: Option<Jabatan>,
    today: NaiveDate,
}

/// Figures, when they were stored, and the epoch they were read at.
type Stored = (std::sync::Arc<Figures>, std::time::Instant, u64);

/// The reports' figures by area and filter. A national aggregate reads every standings row
/// (800,000 at national scale, seconds of database work), so:
///   - officials reading the same area share one reading for [`FIGURES_TTL`];
///   - when an entry is older than that, or the standings were rewritten or certificates
///     issued since (`AppState::reports_changed`: every few seconds while anything moves), it
///     is still answered — for up to [`FIGURES_MAX_STALE`] — while one background task reads
///     new figures: a page does not wait for a recomputation, and a hundred officials opening it
///     at once cause one reading;
///   - after a revocation or an expiry change (`AppState::certificates_changed`) everything is
///     dropped, and the next request waits for new figures, as does a page never read: one
///     reading per page however many ask at once.
#[derive(Default)]
pub struct FiguresCache {
    entries: std::sync::Mutex<HashMap<FiguresKey, Stored>>,
    /// Moves on [`FiguresCache::clear`]: figures read before it are not stored.
    generation: std::sync::atomic::AtomicU64,
    refreshing: std::sync::Mutex<std::collections::HashSet<FiguresKey>>,
    /// One turn per key for the requests that must wait for figures.
    turns: std::sync::Mutex<HashMap<FiguresKey, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

const FIGURES_CAPACITY: usize = 5000;

/// How long a page's figures are fresh (see [`FiguresCache`]).
pub const FIGURES_TTL: std::time::Duration = std::time::Duration::from_secs(30);
/// How old figures may be answered while new ones are read.
pub const FIGURES_MAX_STALE: std::time::Duration = std::time::Duration::from_secs(120);

enum Cached {
    Fresh(std::sync::Arc<Figures>),
    /// Older than the TTL or than the data, but young enough to answer while rereading.
    Stale(std::sync::Arc<Figures>),
}

impl FiguresCache {
    /// The entry for `key`, unless it is too old to answer at all.
    fn lookup(&self, key: &FiguresKey, epoch: u64) -> Option<Cached> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (figures, at, read_at) = entries.get(key)?;
        if *read_at == epoch && at.elapsed() < FIGURES_TTL {
            Some(Cached::Fresh(figures.clone()))
        } else if at.elapsed() < FIGURES_MAX_STALE {
            Some(Cached::Stale(figures.clone()))
        } else {
            None
        }
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Drops every entry (after a revocation, or data written wholesale).
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        entries.clear();
    }

    /// Keeps `figures` read at `epoch`, unless the cache was cleared since `generation`.
    fn store(&self, key: FiguresKey, figures: std::sync::Arc<Figures>, epoch: u64, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if generation != self.generation() {
            return;
        }
        if entries.len() >= FIGURES_CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (figures, std::time::Instant::now(), epoch));
    }
}

async fn compute(
    db: &impl ConnectionTrait,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Figures, AppError> {
    Ok(Figures {
        computed_at: chrono::Utc::now(),
        coverage: coverage(db, area, filter, today).await?,
        modules: learning_per_module(db, area, filter).await?,
        areas: learning_per_child(db, area, filter).await?,
    })
}

/// The coverage and learning figures of `area` under `filter` (status and name do not apply).
pub async fn figures(
    state: &crate::AppState,
    area: Area,
    filter: &Filter,
    today: NaiveDate,
) -> Result<std::sync::Arc<Figures>, AppError> {
    let key = FiguresKey { area, diklat_id: filter.diklat_id, jabatan: filter.jabatan, today };
    let cache = &state.reports;
    let epoch = state.report_epoch.current();
    match cache.lookup(&key, epoch) {
        Some(Cached::Fresh(figures)) => return Ok(figures),
        Some(Cached::Stale(figures)) => {
            let first = cache.refreshing.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone());
            if first {
                let (state, filter) = (state.clone(), filter.clone());
                tokio::spawn(async move {
                    let (epoch, generation) = (state.report_epoch.current(), state.reports.generation());
                    match compute(state.db.read(), area, &filter, today).await {
                        Ok(f) => state.reports.store(key.clone(), std::sync::Arc::new(f), epoch, generation),
                        Err(e) => tracing::warn!("recomputing report figures: {e}"),
                    }
                    state.reports.refreshing.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
                });
            }
            return Ok(figures);
        }
        None => {}
    }
    let turn = {
        let mut turns = cache.turns.lock().unwrap_or_else(|e| e.into_inner());
        if turns.len() >= FIGURES_CAPACITY {
            turns.retain(|_, t| std::sync::Arc::strong_count(t) > 1);
        }
        turns.entry(key.clone()).or_default().clone()
    };
    let _turn = turn.lock().await;
    if let Some(Cached::Fresh(figures) | Cached::Stale(figures)) = cache.lookup(&key, epoch) {
        return Ok(figures);
    }
    let generation = cache.generation();
    let figures = std::sync::Arc::new(compute(state.db.read(), area, filter, today).await?);
    cache.store(key, figures.clone(), epoch, generation);
    Ok(figures)
}

// ---------------------------------------------------------------------------------------------
// People

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
    pub position: Option<String>,
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
    pub certificate_status: Option<String>,
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expires_on: Option<NaiveDate>,
}

impl PersonLine {
    pub fn attendance_percent(&self) -> u32 {
        crate::services::attendance::Rate { held: self.sessions.max(0) as usize, present: self.present.max(0) as usize }
            .percent()
    }

    /// valid, dicabut or kedaluwarsa, when a certificate exists.
    pub fn certificate_state(&self, today: NaiveDate) -> Option<&'static str> {
        let status = self.certificate_status.as_deref()?;
        Some(if status == "revoked" {
            "dicabut"
        } else if self.expires_on.is_some_and(|e| e < today) {
            "kedaluwarsa"
        } else {
            "aktif"
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PeoplePage {
    pub rows: Vec<PersonLine>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

const PEOPLE_FROM: &str = "FROM standings s \
    JOIN people p ON p.id = s.person_id \
    JOIN cooperatives k ON k.id = s.cooperative_id \
    JOIN villages v ON v.id = s.village_id \
    JOIN districts dd ON dd.id = s.district_id \
    JOIN diklat dk ON dk.id = s.diklat_id \
    LEFT JOIN certificates c ON c.diklat_id = s.diklat_id AND c.person_id = s.person_id";

const PEOPLE_COLUMNS: &str = "s.person_id, s.diklat_id, s.province_id, s.regency_id, s.district_id, s.village_id, \
    p.full_name AS name, s.position, k.name AS kkmp, \
    v.name AS village, dd.name AS district, dk.name AS diklat, s.sessions, s.present, s.attendance_ok, s.eligible, \
    s.pre_mean, s.post_mean, c.id AS certificate_id, c.number AS certificate_number, \
    c.verification_code AS certificate_code, c.status AS certificate_status, c.issued_at, c.revoked_at, c.expires_on";

/// The people filter: area, diklat, jabatan, status, name.
fn people_conditions(area: Area, filter: &Filter, today: NaiveDate) -> (String, Vec<Value>) {
    let (mut cond, mut values) = conditions(area, filter, true);
    let valid = "(c.id IS NOT NULL AND c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= ?))";
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
