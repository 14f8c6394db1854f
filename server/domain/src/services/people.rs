use crate::{
    auth::{ids::mask_nik, Caller, Role, Scope},
    entities::{cooperative, district, person, province, regency, village},
    AppError,
};
use sea_orm::{ConnectionTrait, EntityTrait};

pub use types::views::AccountView;

/// What a person sees of themselves on `/akun`. The NIK is masked.
pub async fn profile<C: ConnectionTrait>(db: &C, caller: &Caller) -> Result<AccountView, AppError> {
    let p = person::Entity::find_by_id(caller.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let place = place_of(db, p.cooperative_id).await?;
    let mut roles = Vec::new();
    for g in &caller.grants {
        roles.push((g.role, scope_name(db, g.scope).await?));
    }
    Ok(AccountView {
        name: p.full_name,
        nik_masked: p.nik.as_deref().map(mask_nik),
        phone: p.phone.as_deref().map(crate::auth::ids::local_phone),
        email: p.email,
        position: p.position,
        cooperative: place.as_ref().map(|at| at.cooperative.name.clone()),
        village: place.as_ref().map(|at| at.village.name.clone()),
        district: place.as_ref().map(|at| at.district.name.clone()),
        regency: place.map(|at| at.regency.name),
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

/// Search and page through the participants a caller may see.
#[derive(Clone, Debug, Default)]
pub struct PeopleQuery {
    /// Part of a name, a NIK prefix, or a phone number.
    pub q: Option<String>,
    pub district_id: Option<i32>,
    pub village_id: Option<i32>,
    /// 1-based.
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Debug, sea_orm::FromQueryResult)]
pub struct PersonRow {
    pub id: i32,
    pub full_name: String,
    pub nik: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<types::Jabatan>,
    pub cooperative: String,
    pub village: String,
    pub district: String,
    pub has_password: bool,
    pub is_active: bool,
}

#[derive(Clone, Debug)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// `regencies` rows inside any of `scopes` (none: nothing), for a query that joins `regencies`.
pub fn region_condition(scopes: &[Scope]) -> sea_orm::sea_query::Condition {
    use sea_orm::sea_query::{Cond, Expr, ExprTrait};
    let mut cond = Cond::any();
    for s in scopes {
        cond = match *s {
            Scope::National => cond.add(Expr::val(1).eq(1)),
            Scope::Province(p) => cond.add(Expr::col(("regencies", "province_id")).eq(p)),
            Scope::Regency(r) => cond.add(Expr::col(("regencies", "id")).eq(r)),
        };
    }
    if scopes.is_empty() {
        cond = cond.add(Expr::val(1).eq(0));
    }
    cond
}

/// The SELECT … FROM people ⋈ cooperatives ⋈ villages ⋈ districts ⋈ regencies restricted to
/// `scopes` (none: nothing), shared by the list and its count.
fn scoped_people(scopes: &[Scope], query: &PeopleQuery) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::{Cond, Expr, ExprTrait, Func, LikeExpr, Query};
    let mut select = Query::select();
    select
        .from("people")
        .inner_join("cooperatives", Expr::col(("cooperatives", "id")).equals(("people", "cooperative_id")))
        .inner_join("villages", Expr::col(("villages", "id")).equals(("cooperatives", "village_id")))
        .inner_join("districts", Expr::col(("districts", "id")).equals(("villages", "district_id")))
        .inner_join("regencies", Expr::col(("regencies", "id")).equals(("districts", "regency_id")))
        .left_join("accounts", Expr::col(("accounts", "person_id")).equals(("people", "id")));
    select.cond_where(region_condition(scopes));
    if let Some(d) = query.district_id {
        select.and_where(Expr::col(("districts", "id")).eq(d));
    }
    if let Some(v) = query.village_id {
        select.and_where(Expr::col(("villages", "id")).eq(v));
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        let mut any = Cond::any()
            .add(Expr::expr(Func::lower(Expr::col(("people", "full_name")))).like(LikeExpr::new(&pattern).escape('\\')))
            .add(Expr::expr(Func::lower(Expr::col(("villages", "name")))).like(LikeExpr::new(&pattern).escape('\\')));
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 4 && digits.len() == q.chars().filter(|c| !c.is_whitespace() && *c != '-').count() {
            any = any.add(Expr::col(("people", "nik")).like(format!("{digits}%")));
            if let Ok(phone) = crate::auth::ids::PhoneNumber::parse(q) {
                any = any.add(Expr::col(("people", "phone")).eq(phone.as_str()));
            }
        }
        select.cond_where(any);
    }
    select
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Participants within the caller's panitia/admin scopes, by kecamatan, kelurahan and name.
pub async fn list<C: ConnectionTrait>(db: &C, scopes: &[Scope], query: &PeopleQuery) -> Result<PeoplePage, AppError> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order};
    use sea_orm::{FromQueryResult, StatementBuilder};
    let per_page = Ord::clamp(query.per_page, 1, 200);
    let page = Ord::max(query.page, 1);
    let backend = db.get_database_backend();

    let mut count = scoped_people(scopes, query);
    count.expr_as(Func::count(Expr::col(("people", "id"))), Alias::new("n"));
    let total: i64 = db.query_one(&count).await?.map(|row| row.try_get::<i64>("", "n")).transpose()?.unwrap_or(0);

    let mut select = scoped_people(scopes, query);
    select
        .column(("people", "id"))
        .column(("people", "full_name"))
        .column(("people", "nik"))
        .column(("people", "phone"))
        .column(("people", "email"))
        .column(("people", "position"))
        .expr_as(Expr::col(("cooperatives", "name")), Alias::new("cooperative"))
        .expr_as(Expr::col(("villages", "name")), Alias::new("village"))
        .expr_as(Expr::col(("districts", "name")), Alias::new("district"))
        .expr_as(Expr::col(("accounts", "password_hash")).is_not_null(), Alias::new("has_password"))
        .expr_as(Func::coalesce([Expr::col(("accounts", "is_active")), Expr::val(false)]), Alias::new("is_active"))
        .order_by(("districts", "name"), Order::Asc)
        .order_by(("villages", "name"), Order::Asc)
        .order_by(("people", "full_name"), Order::Asc)
        .order_by(("people", "id"), Order::Asc)
        .limit(per_page)
        .offset((page - 1) * per_page);
    let stmt = StatementBuilder::build(&select, &backend);
    let rows = PersonRow::find_by_statement(stmt).all(db).await?;
    Ok(PeoplePage { rows, total: total as u64, page, per_page })
}

/// Kecamatan within the caller's scopes, for filters: (id, "Kecamatan, Kota").
pub async fn districts_in_scope<C: ConnectionTrait>(db: &C, scopes: &[Scope]) -> Result<Vec<(i32, String)>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut out = Vec::new();
    let regencies = regency::Entity::find().order_by_asc(regency::Column::Name).all(db).await?;
    for r in regencies.into_iter().filter(|r| scopes.iter().any(|s| s.covers(r.province_id, r.id))) {
        let districts = district::Entity::find()
            .filter(district::Column::RegencyId.eq(r.id))
            .order_by_asc(district::Column::Name)
            .all(db)
            .await?;
        out.extend(districts.into_iter().map(|d| (d.id, format!("{}, {}", d.name, r.name))));
    }
    Ok(out)
}

/// The kelurahan of the given kecamatan, "Kelurahan (Kecamatan)", by name.
pub async fn villages_of<C: ConnectionTrait>(
    db: &C,
    districts: &[(i32, String)],
) -> Result<Vec<(i32, String)>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let names: std::collections::HashMap<i32, &str> =
        districts.iter().map(|(id, n)| (*id, n.split(',').next().unwrap_or(n))).collect();
    let mut out: Vec<(i32, String)> = village::Entity::find()
        .filter(village::Column::DistrictId.is_in(names.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, format!("{} ({})", v.name, names.get(&v.district_id).unwrap_or(&""))))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// One participant as panitia see them when editing: the whole NIK, contact data, account state.
#[derive(Clone, Debug)]
pub struct PersonDetail {
    pub id: i32,
    pub full_name: String,
    pub nik: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<types::Jabatan>,
    pub cooperative: String,
    pub village: String,
    pub district: String,
    pub has_password: bool,
    pub is_active: bool,
}

/// Where a participant belongs: their KKMP and its kelurahan, kecamatan, kabupaten/kota.
pub struct Place {
    pub cooperative: cooperative::Model,
    pub village: village::Model,
    pub district: district::Model,
    pub regency: regency::Model,
}

/// The participant `id` and their place, when they belong to a KKMP inside `scopes`; `None`
/// otherwise (staff without a KKMP, another region, or no such id: callers cannot tell apart).
pub async fn participant_in_scope<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    id: i32,
) -> Result<Option<(person::Model, Place)>, AppError> {
    let Some(p) = person::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let Some(place) = place_of(db, p.cooperative_id).await? else { return Ok(None) };
    if !scopes.iter().any(|s| s.covers(place.regency.province_id, place.regency.id)) {
        return Ok(None);
    }
    Ok(Some((p, place)))
}

/// The KKMP `cooperative_id` and the kelurahan, kecamatan and kabupaten/kota it lies in (two
/// queries, along the entities' relations); `None` for no KKMP.
pub async fn place_of<C: ConnectionTrait>(db: &C, cooperative_id: Option<i32>) -> Result<Option<Place>, AppError> {
    let Some(id) = cooperative_id else { return Ok(None) };
    places_of(db, [id]).await?.remove(&id).map(Some).ok_or(AppError::NotFound)
}

/// The places of many KKMP at once, by KKMP id (two queries per 500 KKMP, along the entities'
/// relations); an id without a row is left out. [`place_of`] is this for one.
pub async fn places_of<C: ConnectionTrait>(
    db: &C,
    cooperative_ids: impl IntoIterator<Item = i32>,
) -> Result<std::collections::HashMap<i32, Place>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut ids: Vec<i32> = cooperative_ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let kkmp = cooperative::Entity::find()
            .filter(cooperative::Column::Id.is_in(chunk.to_vec()))
            .find_also_related(village::Entity)
            .all(db)
            .await?;
        let district_ids: Vec<i32> = kkmp.iter().filter_map(|(_, v)| v.as_ref().map(|v| v.district_id)).collect();
        let districts: std::collections::HashMap<i32, (district::Model, regency::Model)> = district::Entity::find()
            .filter(district::Column::Id.is_in(district_ids))
            .find_also_related(regency::Entity)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(d, r)| Some((d.id, (d, r?))))
            .collect();
        for (cooperative, village) in kkmp {
            let Some(village) = village else { continue };
            let Some((district, regency)) = districts.get(&village.district_id).cloned() else { continue };
            out.insert(cooperative.id, Place { cooperative, village, district, regency });
        }
    }
    Ok(out)
}

/// Whether `inner` lies wholly inside `outer` (a kabupaten/kota inside its province, anything
/// inside national).
pub async fn scope_within<C: ConnectionTrait>(db: &C, inner: Scope, outer: Scope) -> Result<bool, AppError> {
    Ok(match (outer, inner) {
        (Scope::National, _) => true,
        (Scope::Province(p), Scope::Province(i)) => p == i,
        (Scope::Province(p), Scope::Regency(r)) => {
            regency::Entity::find_by_id(r).one(db).await?.is_some_and(|r| r.province_id == p)
        }
        (Scope::Regency(r), Scope::Regency(i)) => r == i,
        _ => false,
    })
}

/// The participant `id` with their place, when `caller` may reset their password, edit them or
/// deactivate them — the check on the *target* beside the check on the caller's role:
/// - a panitia only an account whose only role is peserta, inside the panitia's region;
/// - an admin only an account whose every role lies inside the admin's region.
///
/// `NotFound` when the participant is outside every region the caller manages (nothing reveals
/// the id exists elsewhere); `Forbidden` when they are inside it but hold a role the caller may
/// not touch (a participant who is also an admin, a provincial panitia, …).
pub async fn manageable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i32,
) -> Result<(person::Model, Place), AppError> {
    use crate::entities::{account, role_grant};
    use sea_orm::{ColumnTrait, QueryFilter};
    let (p, place) = participant_in_scope(db, &caller.management_scopes(), id).await?.ok_or(AppError::NotFound)?;
    let grants = match account::Entity::find().filter(account::Column::PersonId.eq(p.id)).one(db).await? {
        Some(a) => role_grant::Entity::find().filter(role_grant::Column::AccountId.eq(a.id)).all(db).await?,
        None => Vec::new(),
    };
    let staff: Vec<Scope> = grants
        .iter()
        .filter(|g| g.role != Role::Peserta)
        .map(|g| match (g.province_id, g.regency_id) {
            (_, Some(r)) => Scope::Regency(r),
            (Some(pr), None) => Scope::Province(pr),
            (None, None) => Scope::National,
        })
        .collect();
    let place_scope = Scope::Regency(place.regency.id);
    for admin in caller.scopes(Role::Admin) {
        if !admin.covers(place.regency.province_id, place.regency.id) {
            continue;
        }
        let mut all_inside = true;
        for grant in &staff {
            if !scope_within(db, *grant, admin).await? {
                all_inside = false;
                break;
            }
        }
        if all_inside && scope_within(db, place_scope, admin).await? {
            return Ok((p, place));
        }
    }
    let panitia_here =
        caller.scopes(Role::Panitia).iter().any(|s| s.covers(place.regency.province_id, place.regency.id));
    if panitia_here && staff.is_empty() {
        return Ok((p, place));
    }
    Err(AppError::Forbidden)
}

/// The participant `id`, if inside `scopes` (otherwise `NotFound`: nothing reveals that the id
/// exists elsewhere).
pub async fn detail<C: ConnectionTrait>(db: &C, scopes: &[Scope], id: i32) -> Result<PersonDetail, AppError> {
    use crate::entities::account;
    use sea_orm::{ColumnTrait, QueryFilter};
    let (p, place) = participant_in_scope(db, scopes, id).await?.ok_or(AppError::NotFound)?;
    let (coop, v, d) = (place.cooperative, place.village, place.district);
    let a = account::Entity::find().filter(account::Column::PersonId.eq(p.id)).one(db).await?;
    Ok(PersonDetail {
        id: p.id,
        full_name: p.full_name,
        nik: p.nik,
        phone: p.phone,
        email: p.email,
        position: p.position,
        cooperative: coop.name,
        village: v.name,
        district: d.name,
        has_password: a.as_ref().is_some_and(|a| a.password_hash.is_some()),
        is_active: a.as_ref().is_some_and(|a| a.is_active),
    })
}

/// What panitia may change about a participant.
#[derive(Clone, Debug)]
pub struct PersonChanges {
    pub full_name: String,
    pub nik: String,
    pub phone: String,
    pub email: String,
    pub position: String,
}

/// Updates a participant the caller may manage ([`manageable`]); every field is checked, the first
/// problem names its field, and nothing is written unless all pass.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i32,
    changes: PersonChanges,
) -> Result<(), AppError> {
    use crate::auth::ids::{Email, Nik, PhoneNumber};
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    manageable(db, caller, id).await?;
    let name = changes.full_name.trim();
    if name.is_empty() || name.chars().count() > 150 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "nama",
            "Nama wajib diisi (paling banyak 150 karakter)",
            "A name is required (at most 150 characters)",
        ));
    }
    let nik = Nik::parse(&changes.nik)?;
    let phone = (!changes.phone.trim().is_empty()).then(|| PhoneNumber::parse(&changes.phone)).transpose()?;
    let email = (!changes.email.trim().is_empty()).then(|| Email::parse(&changes.email)).transpose()?;
    if phone.is_none() && email.is_none() {
        return Err(AppError::invalid(
            "no_hp",
            "Isi nomor HP atau email agar peserta dapat masuk",
            "Enter a phone number or email so the participant can sign in",
        ));
    }
    let position = types::Jabatan::parse(&changes.position)
        .ok_or_else(|| AppError::invalid("jabatan", "Jabatan tidak dikenal", "Unknown position"))?;
    let p = person::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut active = p.into_active_model();
    active.full_name = Set(name.to_string());
    active.nik = Set(Some(nik.as_str().to_string()));
    active.phone = Set(phone.map(|p| p.as_str().to_string()));
    active.email = Set(email.map(|e| e.as_str().to_string()));
    active.position = Set(Some(position));
    active.updated_at = Set(chrono::Utc::now());
    active.update(db).await.map_err(|e| {
        AppError::on_unique(
            e,
            "nik",
            "NIK, nomor HP, atau email ini sudah dipakai peserta lain",
            "This NIK, phone number or email is already used by another participant",
        )
    })?;
    // The jabatan is part of the reports' KKMP readiness.
    super::stale::mark_stale_for_person(db, id).await?;
    crate::services::audit::record(db, Some(caller.account_id), "people.update", "person", Some(id.to_string()), None)
        .await
}

/// Deactivates or reactivates a participant's account. Never deletes: attendance and
/// certificates keep pointing at the person. Deactivation ends their sessions.
pub async fn set_active<C: ConnectionTrait>(db: &C, caller: &Caller, id: i32, active: bool) -> Result<(), AppError> {
    use crate::entities::account;
    use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, Set};
    manageable(db, caller, id).await?;
    let a =
        account::Entity::find().filter(account::Column::PersonId.eq(id)).one(db).await?.ok_or(AppError::NotFound)?;
    let account_id = a.id;
    let mut am = a.into_active_model();
    am.is_active = Set(active);
    am.update(db).await?;
    if !active {
        crate::auth::end_all_sessions(db, account_id).await?;
    }
    let action = if active { "people.reactivate" } else { "people.deactivate" };
    crate::services::audit::record(db, Some(caller.account_id), action, "person", Some(id.to_string()), None).await
}
