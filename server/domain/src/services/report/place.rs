//! A region code resolved to its area and trail, checked against the caller's scopes.

use crate::{
    auth::Scope,
    entities::{district, province, regency, village},
    AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    area::Area,
    filter::{filter_of, Filter, ReportQuery},
};

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
pub(super) async fn default_place<C: ConnectionTrait>(db: &C, scopes: &[Scope]) -> Result<Place, AppError> {
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
    params: &ReportQuery,
) -> Result<(Place, Filter), AppError> {
    let filter = filter_of(params)?;
    let place = place(db, params.wilayah.as_deref(), scopes).await?;
    Ok((place, filter))
}
