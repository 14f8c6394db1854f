//! Who is asking: sign-in, the caller's roles and their regional scope, rate limiting.

pub mod codes;
pub mod ids;
pub mod policy;
pub(crate) mod throttle;

use crate::{
    entities::{account, person, role_grant},
    password,
    services::audit,
    AppError,
};
use chrono::{DateTime, Utc};
use ids::LoginId;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Peserta,
    Panitia,
    Pejabat,
    Admin,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Peserta => "peserta",
            Role::Panitia => "panitia",
            Role::Pejabat => "pejabat",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "peserta" => Some(Role::Peserta),
            "panitia" => Some(Role::Panitia),
            "pejabat" => Some(Role::Pejabat),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The region a role applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    National,
    Province(i32),
    Regency(i32),
}

impl Scope {
    /// Whether a record in `regency_id` (of `province_id`) falls inside this scope.
    pub fn covers(self, province_id: i32, regency_id: i32) -> bool {
        match self {
            Scope::National => true,
            Scope::Province(p) => p == province_id,
            Scope::Regency(r) => r == regency_id,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// A signed-in person, as every handler and server function sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    pub account_id: i32,
    pub person_id: i32,
    pub name: String,
    pub grants: Vec<Grant>,
}

impl Caller {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.dedup();
        roles
    }

    /// The scopes in which the caller holds `role`.
    pub fn scopes(&self, role: Role) -> Vec<Scope> {
        self.grants.iter().filter(|g| g.role == role).map(|g| g.scope).collect()
    }

    /// The regions in which the caller manages people, diklat and attendance (as panitia or admin).
    pub fn management_scopes(&self) -> Vec<Scope> {
        let mut scopes = self.scopes(Role::Panitia);
        scopes.extend(self.scopes(Role::Admin));
        scopes
    }

    /// The regions whose reports the caller may read (as pejabat, panitia or admin).
    pub fn report_scopes(&self) -> Vec<Scope> {
        let mut scopes = self.scopes(Role::Pejabat);
        scopes.extend(self.management_scopes());
        scopes
    }

    /// Whether the caller may change what every diklat shares (question banks, quiz settings):
    /// admins, and panitia with a national scope.
    pub fn manages_content(&self) -> bool {
        self.has_role(Role::Admin) || self.scopes(Role::Panitia).contains(&Scope::National)
    }

    /// Fails unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.iter().any(|r| self.has_role(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Loads the caller behind a session's account id; `None` when the account is gone or inactive.
pub async fn load_caller<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<Option<Caller>, AppError> {
    let Some(account) = account::Entity::find_by_id(account_id).one(db).await? else {
        return Ok(None);
    };
    if !account.is_active {
        return Ok(None);
    }
    let Some(person) = person::Entity::find_by_id(account.person_id).one(db).await? else {
        return Ok(None);
    };
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::AccountId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|g| {
            let scope = match (g.province_id, g.regency_id) {
                (_, Some(r)) => Scope::Regency(r),
                (Some(p), None) => Scope::Province(p),
                (None, None) => Scope::National,
            };
            Role::from_code(&g.role).map(|role| Grant { role, scope })
        })
        .collect();
    Ok(Some(Caller { account_id: account.id, person_id: person.id, name: person.full_name, grants }))
}

/// Why a sign-in was refused. The message never says whether the account exists.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong identifier or password (or no such account, or no password set yet).
    Invalid,
    /// Too many failures for this account or address: try again after this many minutes.
    Locked { minutes: i64 },
}

impl LoginError {
    pub fn message(&self) -> String {
        match self {
            LoginError::Invalid => "Nomor HP/email atau kata sandi salah.".to_string(),
            LoginError::Locked { minutes } => {
                format!("Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit.")
            }
        }
    }
}

async fn find_account<C: ConnectionTrait>(
    db: &C,
    login: &LoginId,
) -> Result<Option<(person::Model, account::Model)>, AppError> {
    let filter = match login {
        LoginId::Phone(p) => person::Column::Phone.eq(p.as_str()),
        LoginId::Email(e) => person::Column::Email.eq(e.as_str()),
    };
    let Some(p) = person::Entity::find().filter(filter).one(db).await? else {
        return Ok(None);
    };
    let a = account::Entity::find().filter(account::Column::PersonId.eq(p.id)).one(db).await?;
    Ok(a.map(|a| (p, a)))
}

/// A sign-in identifier as a log or the audit table may keep it: an email's domain, a phone's
/// last four digits. Never more, since people type their password into the wrong field.
pub fn masked_login(login: &str) -> String {
    let login = login.trim();
    if let Some((_, domain)) = login.rsplit_once('@') {
        return format!("…@{}", domain.chars().take(64).collect::<String>());
    }
    let digits: Vec<char> = login.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 8 && digits.len() == login.chars().filter(|c| !" +-".contains(*c)).count() {
        return format!("…{}", digits[digits.len() - 4..].iter().collect::<String>());
    }
    "(bukan nomor HP atau email)".to_string()
}

/// Checks an identifier and password. Always costs one Argon2 verification (against a dummy
/// hash when there is no usable account), so the answer takes as long either way.
/// `client` is the caller's address, for the per-address limit.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    hasher: &password::Hasher,
    login: &str,
    password_input: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Result<i32, LoginError>, AppError> {
    let ip_key = format!("ip:{client}");
    let parsed = LoginId::parse(login).ok();
    let login_key =
        parsed.as_ref().map(LoginId::throttle_key).unwrap_or_else(|| format!("login:{}", login.trim().to_lowercase()));
    for key in [&ip_key, &login_key] {
        if let Some(minutes) = throttle::locked_minutes(db, key, now).await? {
            return Ok(Err(LoginError::Locked { minutes }));
        }
    }
    let found = match &parsed {
        Some(id) => find_account(db, id).await?,
        None => None,
    };
    let usable = found.as_ref().filter(|(_, a)| a.is_active).and_then(|(_, a)| a.password_hash.clone());
    let ok = hasher.verify(password_input.to_string(), usable).await;

    if ok {
        let (_, account) = found.expect("a verified password has an account");
        throttle::reset(db, &login_key).await?;
        let id = account.id;
        let mut active = account.into_active_model();
        active.last_login_at = Set(Some(now));
        active.update(db).await?;
        audit::record(db, Some(id), "auth.login", "account", Some(id.to_string()), None).await?;
        Ok(Ok(id))
    } else {
        // Bounded by the limits below: once an account or address is locked, nothing more is written.
        let account_id = found.as_ref().map(|(_, a)| a.id.to_string());
        let detail = serde_json::json!({ "login": masked_login(login) });
        audit::record(db, None, "auth.login_failed", "account", account_id, Some(detail)).await?;
        throttle::fail(db, &login_key, now, throttle::ACCOUNT_LIMIT).await?;
        throttle::fail(db, &ip_key, now, throttle::ADDRESS_LIMIT).await?;
        // The failure that reaches the limit already answers "locked".
        for key in [&ip_key, &login_key] {
            if let Some(minutes) = throttle::locked_minutes(db, key, now).await? {
                return Ok(Err(LoginError::Locked { minutes }));
            }
        }
        Ok(Err(LoginError::Invalid))
    }
}

/// Sets a new password after checking the policy; records it in the audit log.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    hasher: &password::Hasher,
    account_id: i32,
    new_password: &str,
    actor: Option<i32>,
) -> Result<(), AppError> {
    let account = account::Entity::find_by_id(account_id).one(db).await?.ok_or(AppError::NotFound)?;
    let person = person::Entity::find_by_id(account.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let ids: Vec<&str> = [person.phone.as_deref(), person.email.as_deref()].into_iter().flatten().collect();
    policy::check_new_password(new_password, &ids)?;
    let hash = hasher.hash(new_password.to_string()).await?;
    let mut active = account.into_active_model();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(Utc::now()));
    active.update(db).await?;
    audit::record(db, actor, "auth.password_set", "account", Some(account_id.to_string()), None).await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one.
///
/// With `end_sessions`, every stored session of the account is deleted too, the caller's own
/// included: the caller keeps signing in by saving its session under a new id (`cycle_id`), and
/// must bump the session cache's epoch so no other device is still served from memory.
pub async fn change_password<C: ConnectionTrait>(
    db: &C,
    hasher: &password::Hasher,
    account_id: i32,
    current: &str,
    new_password: &str,
    end_sessions: bool,
) -> Result<(), AppError> {
    let account = account::Entity::find_by_id(account_id).one(db).await?.ok_or(AppError::NotFound)?;
    if !hasher.verify(current.to_string(), account.password_hash.clone()).await {
        return Err(AppError::invalid("sandi_lama", "Kata sandi saat ini salah"));
    }
    set_password(db, hasher, account_id, new_password, Some(account_id)).await?;
    if end_sessions {
        end_all_sessions(db, account_id).await?;
    }
    Ok(())
}

/// Deletes every stored session of an account (a reset, a password change, a deactivation).
/// Sessions cached in memory go when the caller bumps the auth epoch (`AppState::auth_changed`).
pub async fn end_all_sessions<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<(), AppError> {
    use crate::entities::auth_session;
    auth_session::Entity::delete_many().filter(auth_session::Column::AccountId.eq(account_id)).exec(db).await?;
    Ok(())
}
