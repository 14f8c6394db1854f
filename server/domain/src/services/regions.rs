use crate::{
    entities::{cooperative, district, regency, village},
    AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub use types::views::{DistrictOverview, RegencyOverview, RegencySummary, VillageOverview};

/// A kabupaten/kota with its kecamatan, kelurahan/desa and their KKMP, alphabetically.
pub async fn regency_overview<C: ConnectionTrait>(db: &C, regency_code: &str) -> Result<RegencyOverview, AppError> {
    let regency = regency::Entity::find()
        .filter(regency::Column::Code.eq(regency_code))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let districts = district::Entity::find()
        .filter(district::Column::RegencyId.eq(regency.id))
        .order_by_asc(district::Column::Name)
        .all(db)
        .await?;
    let villages = village::Entity::find()
        .filter(village::Column::DistrictId.is_in(districts.iter().map(|d| d.id)))
        .order_by_asc(village::Column::Name)
        .all(db)
        .await?;
    let cooperatives: HashMap<i32, String> = cooperative::Entity::find()
        .filter(cooperative::Column::VillageId.is_in(villages.iter().map(|v| v.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.village_id, c.name))
        .collect();
    let mut by_district: HashMap<i32, Vec<VillageOverview>> = HashMap::new();
    for v in villages {
        by_district.entry(v.district_id).or_default().push(VillageOverview {
            cooperative: cooperatives.get(&v.id).cloned(),
            code: v.code,
            name: v.name,
            kind: v.kind,
        });
    }
    Ok(RegencyOverview {
        code: regency.code,
        name: regency.name,
        districts: districts
            .into_iter()
            .map(|d| DistrictOverview {
                villages: by_district.remove(&d.id).unwrap_or_default(),
                code: d.code,
                name: d.name,
            })
            .collect(),
    })
}

/// How many kelurahan/desa the database knows.
pub async fn village_count<C: ConnectionTrait>(db: &C) -> Result<u64, AppError> {
    Ok(village::Entity::find().count(db).await?)
}

/// Every kabupaten/kota with its kecamatan, kelurahan/desa and KKMP counts, by province and name.
/// One aggregate query: the counting happens in the database, not in Rust.
pub async fn regency_summaries<C: ConnectionTrait>(db: &C) -> Result<Vec<RegencySummary>, AppError> {
    let sql = "SELECT p.name AS province, r.code AS code, r.name AS name, \
               COUNT(DISTINCT d.id) AS districts, COUNT(v.id) AS villages, COUNT(c.id) AS cooperatives \
               FROM regencies r \
               JOIN provinces p ON p.id = r.province_id \
               LEFT JOIN districts d ON d.regency_id = r.id \
               LEFT JOIN villages v ON v.district_id = d.id \
               LEFT JOIN cooperatives c ON c.village_id = v.id \
               GROUP BY p.name, r.id, r.code, r.name \
               ORDER BY p.name, r.name";
    let stmt = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    Ok(RegencySummary::find_by_statement(stmt).all(db).await?)
}
