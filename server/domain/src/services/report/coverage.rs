//! Coverage: how many are enrolled, attended, passed, eligible and certified per area.

use super::filter::quoted_list;
use crate::{
    entities::{district, province, regency, village},
    AppError,
};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Value};
use std::collections::HashMap;

use super::{
    area::Area,
    filter::{conditions, Filter, VALID_CERT},
};
use crate::services::sql::stmt;

pub use types::views::{Counts, CoverageRow};

#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    pub total: Counts,
    pub rows: Vec<CoverageRow>,
}

/// The areas one level below `area` (the village itself at the bottom): (id, code, name).
pub(super) async fn children<C: ConnectionTrait>(db: &C, area: Area) -> Result<Vec<(i32, String, String)>, AppError> {
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
pub(super) async fn kkmp_per_child<C: ConnectionTrait>(db: &C, area: Area) -> Result<HashMap<i32, i64>, AppError> {
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
        pengurus = quoted_list(types::Jabatan::PENGURUS),
        pengawas = quoted_list(types::Jabatan::PENGAWAS),
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
