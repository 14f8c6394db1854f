use crate::{
    auth::{ids::mask_nik, Caller, Scope},
    entities::{cooperative, district, person, province, regency, village},
    AppError,
};
use sea_orm::{ConnectionTrait, EntityTrait};

/// What a person sees of themselves on `/akun`. The NIK is masked.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub nik_masked: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub cooperative: Option<String>,
    pub village: Option<String>,
    pub district: Option<String>,
    pub regency: Option<String>,
    /// (role code, scope name)
    pub roles: Vec<(String, String)>,
}

pub async fn profile<C: ConnectionTrait>(db: &C, caller: &Caller) -> Result<Profile, AppError> {
    let p = person::Entity::find_by_id(caller.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let coop = match p.cooperative_id {
        Some(id) => cooperative::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let village = match &coop {
        Some(c) => village::Entity::find_by_id(c.village_id).one(db).await?,
        None => None,
    };
    let district = match &village {
        Some(v) => district::Entity::find_by_id(v.district_id).one(db).await?,
        None => None,
    };
    let regency = match &district {
        Some(d) => regency::Entity::find_by_id(d.regency_id).one(db).await?,
        None => None,
    };
    let mut roles = Vec::new();
    for g in &caller.grants {
        roles.push((g.role.code().to_string(), scope_name(db, g.scope).await?));
    }
    Ok(Profile {
        name: p.full_name,
        nik_masked: p.nik.as_deref().map(mask_nik),
        phone: p.phone.map(|ph| ph.strip_prefix("+62").map(|n| format!("0{n}")).unwrap_or(ph)),
        email: p.email,
        position: p.position,
        cooperative: coop.map(|c| c.name),
        village: village.map(|v| v.name),
        district: district.map(|d| d.name),
        regency: regency.map(|r| r.name),
        roles,
    })
}

/// "Nasional", a province's name or a kabupaten/kota's name.
pub async fn scope_name<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<String, AppError> {
    Ok(match scope {
        Scope::National => "Nasional".to_string(),
        Scope::Province(id) => province::Entity::find_by_id(id).one(db).await?.map(|p| p.name).unwrap_or_default(),
        Scope::Regency(id) => regency::Entity::find_by_id(id).one(db).await?.map(|r| r.name).unwrap_or_default(),
    })
}
