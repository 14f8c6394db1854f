//! Staff roles (panitia, pejabat, admin) and their regional scopes, managed by admin.

use crate::{
    auth::{
        codes,
        ids::{Email, LoginId, PhoneNumber},
        Caller, Role, Scope,
    },
    entities::{account, one_time_code, person, province, regency, role_grant},
    services::{audit, people::scope_name},
    AppError,
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};

#[derive(Clone, Debug)]
pub struct StaffGrant {
    pub grant_id: i32,
    pub name: String,
    pub login: String,
    pub role: Role,
    pub scope: String,
    pub granted_at: chrono::DateTime<Utc>,
}

/// Every non-peserta role grant, by role then name.
pub async fn staff_grants<C: ConnectionTrait>(db: &C) -> Result<Vec<StaffGrant>, AppError> {
    let grants = role_grant::Entity::find().filter(role_grant::Column::Role.ne(Role::Peserta)).all(db).await?;
    let mut out = Vec::new();
    for g in grants {
        let Some(a) = account::Entity::find_by_id(g.account_id).one(db).await? else { continue };
        let Some(p) = person::Entity::find_by_id(a.person_id).one(db).await? else { continue };
        let scope = match (g.province_id, g.regency_id) {
            (_, Some(r)) => Scope::Regency(r),
            (Some(pr), None) => Scope::Province(pr),
            _ => Scope::National,
        };
        out.push(StaffGrant {
            grant_id: g.id,
            name: p.full_name,
            login: p.email.or(p.phone).unwrap_or_default(),
            role: g.role,
            scope: scope_name(db, scope).await?,
            granted_at: g.granted_at,
        });
    }
    out.sort_by(|a, b| (a.role.code(), &a.name).cmp(&(b.role.code(), &b.name)));
    Ok(out)
}

/// The scopes an admin can hand out, as (form value, label): national, then each province
/// with its kabupaten/kota.
pub async fn scope_options<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, String)>, AppError> {
    let mut out = vec![("nasional".to_string(), "Nasional".to_string())];
    for p in province::Entity::find().order_by_asc(province::Column::Name).all(db).await? {
        out.push((format!("prov:{}", p.id), format!("Provinsi {}", p.name)));
        for r in regency::Entity::find()
            .filter(regency::Column::ProvinceId.eq(p.id))
            .order_by_asc(regency::Column::Name)
            .all(db)
            .await?
        {
            out.push((format!("kab:{}", r.id), format!("— {}", r.name)));
        }
    }
    Ok(out)
}

pub fn parse_scope(value: &str) -> Result<Scope, AppError> {
    let bad = || AppError::invalid("wilayah", "Pilih wilayah peran", "Choose the region of the role");
    match value.split_once(':') {
        None if value == "nasional" => Ok(Scope::National),
        Some(("prov", id)) => id.parse().map(Scope::Province).map_err(|_| bad()),
        Some(("kab", id)) => id.parse().map(Scope::Regency).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Whether `caller`'s admin scopes include all of `target`.
async fn admin_covers<C: ConnectionTrait>(db: &C, caller: &Caller, target: Scope) -> Result<bool, AppError> {
    let target_province = match target {
        Scope::Regency(r) => regency::Entity::find_by_id(r).one(db).await?.map(|r| r.province_id),
        Scope::Province(p) => Some(p),
        Scope::National => None,
    };
    Ok(caller.scopes(Role::Admin).into_iter().any(|s| match (s, target) {
        (Scope::National, _) => true,
        (Scope::Province(p), Scope::Province(t)) => p == t,
        (Scope::Province(p), Scope::Regency(_)) => target_province == Some(p),
        (Scope::Regency(r), Scope::Regency(t)) => r == t,
        _ => false,
    }))
}

/// Grants `role` in `scope` to the person signing in with `login`, creating a staff person
/// (with `new_name`) when nobody has that login yet. Returns a one-time code when the account
/// has no password yet, so the admin can hand it over.
pub async fn grant<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    key: &crate::secret::DataKey,
    caller: &Caller,
    login: &str,
    new_name: &str,
    role: Role,
    scope: Scope,
) -> Result<Option<String>, AppError> {
    caller.require_any(&[Role::Admin])?;
    if role == Role::Peserta {
        return Err(AppError::invalid(
            "peran",
            "Peran peserta diberikan lewat impor peserta",
            "The participant role is given through the participant import",
        ));
    }
    if !admin_covers(db, caller, scope).await? {
        return Err(AppError::invalid(
            "wilayah",
            "Wilayah ini di luar wewenang admin Anda",
            "This region is outside your authority as admin",
        ));
    }
    let login_id = LoginId::parse(login)?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let existing = match &login_id {
        LoginId::Phone(p) => person::Entity::find().filter(person::Column::Phone.eq(p.as_str())).one(&txn).await?,
        LoginId::Email(e) => person::Entity::find().filter(person::Column::Email.eq(e.as_str())).one(&txn).await?,
    };
    let person = match existing {
        Some(p) => p,
        None => {
            let name = new_name.trim();
            if name.is_empty() || name.chars().count() > 150 {
                return Err(AppError::invalid(
                    "nama",
                    "Belum ada orang dengan nomor HP/email ini: isi namanya untuk membuat akun staf",
                    "There is no one with this phone number/email yet: enter their name to create a staff account",
                ));
            }
            let (phone, email): (Option<PhoneNumber>, Option<Email>) = match login_id {
                LoginId::Phone(p) => (Some(p), None),
                LoginId::Email(e) => (None, Some(e)),
            };
            person::ActiveModel {
                full_name: Set(name.to_string()),
                phone: Set(phone.map(|p| p.as_str().to_string())),
                email: Set(email.map(|e| e.as_str().to_string())),
                position: Set(Some(types::Jabatan::Staf)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let account = match account::Entity::find().filter(account::Column::PersonId.eq(person.id)).one(&txn).await? {
        Some(a) => a,
        None => {
            account::ActiveModel {
                person_id: Set(person.id),
                is_active: Set(true),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let (province_id, regency_id) = match scope {
        Scope::National => (None, None),
        Scope::Province(p) => (Some(p), None),
        Scope::Regency(r) => (None, Some(r)),
    };
    let duplicate = role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(account.id))
        .filter(role_grant::Column::Role.eq(role))
        .all(&txn)
        .await?
        .into_iter()
        .any(|g| g.province_id == province_id && g.regency_id == regency_id);
    if duplicate {
        return Err(AppError::conflict(
            "peran",
            "Orang ini sudah memegang peran itu di wilayah itu",
            "This person already holds that role in that region",
        ));
    }
    let g = role_grant::ActiveModel {
        account_id: Set(account.id),
        role: Set(role),
        province_id: Set(province_id),
        regency_id: Set(regency_id),
        granted_by: Set(Some(caller.account_id)),
        granted_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let code = if account.password_hash.is_none() {
        let code = codes::new_code();
        one_time_code::ActiveModel {
            account_id: Set(account.id),
            code_hash: Set(codes::hash_of(key, &code)),
            purpose: Set("first_login".into()),
            created_by: Set(Some(caller.account_id)),
            created_at: Set(now),
            expires_at: Set(now + chrono::Duration::days(codes::VALID_DAYS)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Some(code)
    } else {
        None
    };
    audit::record(
        &txn,
        Some(caller.account_id),
        "roles.grant",
        "account",
        Some(account.id.to_string()),
        Some(serde_json::json!({ "grant": g.id, "role": role.code(), "province_id": province_id, "regency_id": regency_id })),
    )
    .await?;
    txn.commit().await?;
    Ok(code)
}

/// Removes a staff role grant. An admin cannot remove their own last admin grant.
pub async fn revoke<C: ConnectionTrait>(db: &C, caller: &Caller, grant_id: i32) -> Result<(), AppError> {
    caller.require_any(&[Role::Admin])?;
    let g = role_grant::Entity::find_by_id(grant_id).one(db).await?.ok_or(AppError::NotFound)?;
    if g.role == Role::Peserta {
        return Err(AppError::invalid(
            "peran",
            "Peran peserta tidak dicabut di sini: nonaktifkan akunnya",
            "The participant role is not revoked here: deactivate the account instead",
        ));
    }
    let scope = match (g.province_id, g.regency_id) {
        (_, Some(r)) => Scope::Regency(r),
        (Some(p), None) => Scope::Province(p),
        _ => Scope::National,
    };
    if !admin_covers(db, caller, scope).await? {
        return Err(AppError::Forbidden);
    }
    if g.account_id == caller.account_id && g.role == Role::Admin && caller.scopes(Role::Admin).len() <= 1 {
        return Err(AppError::invalid(
            "peran",
            "Anda tidak dapat mencabut peran admin terakhir Anda sendiri",
            "You cannot revoke your own last admin role",
        ));
    }
    role_grant::Entity::delete_by_id(grant_id).exec(db).await?;
    audit::record(
        db,
        Some(caller.account_id),
        "roles.revoke",
        "account",
        Some(g.account_id.to_string()),
        Some(serde_json::json!({ "grant": grant_id, "role": g.role.code() })),
    )
    .await
}
