//! Who is enrolled in a diklat: in bulk by filter, one by one, withdrawn; and the lookups around it.

use super::diklat::managed;
use crate::{
    auth::{Caller, Scope},
    entities::{enrolment, person},
    services::audit,
    AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::HashMap;

/// Who to enrol in bulk: everyone in scope matching all given filters.
#[derive(Clone, Debug, Default)]
pub struct BulkFilter {
    pub district_id: Option<i32>,
    pub village_id: Option<i32>,
    /// ketua, sekretaris, bendahara, pengawas
    pub position: Option<String>,
}

/// Person ids in `scopes` matching `filter` (people with a KKMP only).
pub(super) async fn people_matching<C: ConnectionTrait>(
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
    crate::services::stale::mark_stale(&txn, diklat_id).await?;
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
    crate::services::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(())
}

pub(super) async fn enrol_people<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    diklat_id: i32,
    people: &[i32],
) -> Result<usize, AppError> {
    let existing: HashMap<i32, types::EnrolmentStatus> = enrolment::Entity::find()
        .select_only()
        .columns([enrolment::Column::PersonId, enrolment::Column::Status])
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .into_tuple::<(i32, types::EnrolmentStatus)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let mut added = 0;
    let mut rejoin = Vec::new();
    let mut fresh = Vec::new();
    for &p in people {
        match existing.get(&p) {
            Some(types::EnrolmentStatus::Enrolled) => {}
            Some(_) => rejoin.push(p),
            None => fresh.push(p),
        }
    }
    if !rejoin.is_empty() {
        added += rejoin.len();
        enrolment::Entity::update_many()
            .col_expr(enrolment::Column::Status, Expr::value(types::EnrolmentStatus::Enrolled))
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
            status: Set(types::EnrolmentStatus::Enrolled),
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
        .col_expr(enrolment::Column::Status, Expr::value(types::EnrolmentStatus::Withdrawn))
        .filter(enrolment::Column::DiklatId.eq(diklat_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
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
    crate::services::stale::mark_stale(&txn, diklat_id).await?;
    txn.commit().await?;
    Ok(())
}

/// An enrolled person with where they come from.
#[derive(Clone, Debug)]
pub struct Enrolled {
    pub person_id: i32,
    pub name: String,
    pub position: Option<types::Jabatan>,
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
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
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
    let places = crate::services::people::places_of(db, people.values().filter_map(|p| p.cooperative_id)).await?;
    let mut out: Vec<Enrolled> = rows
        .into_iter()
        .filter_map(|e| {
            let p = people.get(&e.person_id)?;
            let at = p.cooperative_id.and_then(|id| places.get(&id));
            Some(Enrolled {
                person_id: p.id,
                name: p.full_name.clone(),
                position: p.position,
                cooperative_id: at.map(|at| at.cooperative.id),
                cooperative: at.map(|at| at.cooperative.name.clone()).unwrap_or_default(),
                village_id: at.map(|at| at.village.id),
                village: at.map(|at| at.village.name.clone()).unwrap_or_default(),
                district: at.map(|at| at.district.name.clone()).unwrap_or_default(),
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
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
        .one(db)
        .await?)
}
