//! Who is asking: sign-in, the caller's roles and their regional scope, rate limiting.

pub mod codes;
pub mod ids;
pub mod policy;
pub mod throttle;

use crate::{
    entities::{account, person, role_grant},
    password,
    services::audit,
    AppError,
};
use chrono::{DateTime, Utc};
use ids::LoginId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub use types::Role;

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
        .map(|g| {
            let scope = match (g.province_id, g.regency_id) {
                (_, Some(r)) => Scope::Regency(r),
                (Some(p), None) => Scope::Province(p),
                (None, None) => Scope::National,
            };
            Grant { role: g.role, scope }
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
    /// [`LoginError::text`] in Bahasa Indonesia.
    pub fn message(&self) -> String {
        self.text().id
    }

    /// The sentence in Bahasa Indonesia and English.
    pub fn text(&self) -> crate::error::Text {
        match self {
            LoginError::Invalid => crate::error::Text::new(
                "Nomor HP/email atau kata sandi salah.",
                "Wrong phone number/email or password.",
            ),
            LoginError::Locked { minutes } => crate::error::Text::new(
                format!("Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit."),
                format!("Too many sign-in attempts. Try again in {minutes} minutes."),
            ),
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
///
/// The attempt is counted against the identifier and the address *before* the password is
/// checked (`throttle::begin`), so a burst of parallel guesses cannot all be checked before the
/// first failure is counted.
pub async fn authenticate<C: ConnectionTrait + TransactionTrait>(
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
    let by_address = match throttle::begin(db, &ip_key, throttle::ADDRESS, now).await? {
        Ok(attempt) => attempt,
        Err(refused) => return Ok(Err(LoginError::Locked { minutes: refused.minutes() })),
    };
    let by_login = match throttle::begin(db, &login_key, throttle::ACCOUNT, now).await? {
        Ok(attempt) => attempt,
        Err(refused) => {
            by_address.cancelled(db, now).await?;
            return Ok(Err(LoginError::Locked { minutes: refused.minutes() }));
        }
    };
    let checked = check_password(db, hasher, parsed.as_ref(), password_input).await;
    let (found, ok) = match checked {
        Ok(found) => found,
        Err(e) => {
            by_login.cancelled(db, now).await?;
            by_address.cancelled(db, now).await?;
            return Err(e);
        }
    };
    if let (Some(account), true) = (found.clone(), ok) {
        by_login.succeeded(db, now, true).await?;
        by_address.succeeded(db, now, false).await?;
        let id = account.id;
        let mut active = account.into_active_model();
        active.last_login_at = Set(Some(now));
        active.update(db).await?;
        audit::record(db, Some(id), "auth.login", "account", Some(id.to_string()), None).await?;
        Ok(Ok(id))
    } else {
        // Bounded by the limits: an attempt refused by them writes nothing.
        let account_id = found.map(|a| a.id.to_string());
        let detail = serde_json::json!({ "login": masked_login(login) });
        audit::record(db, None, "auth.login_failed", "account", account_id, Some(detail)).await?;
        let login_lock = by_login.failed(db, now).await?;
        let address_lock = by_address.failed(db, now).await?;
        // The failure that reaches the limit already answers "locked".
        match login_lock.or(address_lock) {
            Some(minutes) => Ok(Err(LoginError::Locked { minutes })),
            None => Ok(Err(LoginError::Invalid)),
        }
    }
}

/// The account behind the identifier (if any) and whether `password_input` is its password and
/// the account active — after the same Argon2 work either way.
async fn check_password<C: ConnectionTrait>(
    db: &C,
    hasher: &password::Hasher,
    parsed: Option<&LoginId>,
    password_input: &str,
) -> Result<(Option<account::Model>, bool), AppError> {
    let found = match parsed {
        Some(id) => find_account(db, id).await?,
        None => None,
    };
    let usable = found.as_ref().filter(|(_, a)| a.is_active).and_then(|(_, a)| a.password_hash.clone());
    let ok = hasher.verify(password_input.to_string(), usable).await;
    Ok((found.map(|(_, a)| a), ok))
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
    let hash = checked_hash(db, hasher, &account, new_password).await?;
    store_hash(db, account, hash, actor).await
}

/// The hash of `new_password` once it passes the policy (not the account's own phone or e-mail).
async fn checked_hash<C: ConnectionTrait>(
    db: &C,
    hasher: &password::Hasher,
    account: &account::Model,
    new_password: &str,
) -> Result<String, AppError> {
    let person = person::Entity::find_by_id(account.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let ids: Vec<&str> = [person.phone.as_deref(), person.email.as_deref()].into_iter().flatten().collect();
    policy::check_new_password(new_password, &ids)?;
    hasher.hash(new_password.to_string()).await
}

async fn store_hash<C: ConnectionTrait>(
    db: &C,
    account: account::Model,
    hash: String,
    actor: Option<i32>,
) -> Result<(), AppError> {
    let account_id = account.id;
    let mut active = account.into_active_model();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(Utc::now()));
    active.update(db).await?;
    audit::record(db, actor, "auth.password_set", "account", Some(account_id.to_string()), None).await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one.
///
/// The check of the current password is limited like sign-in (`throttle::PASSWORD_CHECK`, counted
/// before it is checked), so a stolen session cannot be used to guess the password.
/// With `end_sessions`, every stored session of the account is deleted too, the caller's own
/// included, in the same transaction as the new password: the caller keeps signing in by saving
/// its session under a new id (`cycle_id`), and must bump the session cache's epoch so no other
/// device is still served from memory.
pub async fn change_password<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    hasher: &password::Hasher,
    account_id: i32,
    current: &str,
    new_password: &str,
    end_sessions: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let attempt = match throttle::begin(db, &format!("sandi:{account_id}"), throttle::PASSWORD_CHECK, now).await? {
        Ok(attempt) => attempt,
        Err(refused) => return Err(too_many_password_checks(refused.minutes())),
    };
    let account = match account::Entity::find_by_id(account_id).one(db).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            attempt.cancelled(db, now).await?;
            return Err(AppError::NotFound);
        }
        Err(e) => {
            attempt.cancelled(db, now).await?;
            return Err(e.into());
        }
    };
    if !hasher.verify(current.to_string(), account.password_hash.clone()).await {
        audit::record(
            db,
            Some(account_id),
            "auth.password_check_failed",
            "account",
            Some(account_id.to_string()),
            None,
        )
        .await?;
        return Err(match attempt.failed(db, now).await? {
            Some(minutes) => too_many_password_checks(minutes),
            None => AppError::invalid("sandi_lama", "Kata sandi saat ini salah", "The current password is wrong"),
        });
    }
    attempt.succeeded(db, now, true).await?;
    let hash = checked_hash(db, hasher, &account, new_password).await?;
    let txn = db.begin().await?;
    store_hash(&txn, account, hash, Some(account_id)).await?;
    if end_sessions {
        end_all_sessions(&txn, account_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn too_many_password_checks(minutes: i64) -> AppError {
    AppError::invalid(
        "sandi_lama",
        format!("Terlalu banyak percobaan kata sandi salah. Coba lagi dalam {minutes} menit."),
        format!("Too many wrong password attempts. Try again in {minutes} minutes."),
    )
}

/// Deletes every stored session of an account (a reset, a password change, a deactivation).
/// Sessions cached in memory go when the caller bumps the auth epoch (`AppState::auth_changed`).
pub async fn end_all_sessions<C: ConnectionTrait>(db: &C, account_id: i32) -> Result<(), AppError> {
    use crate::entities::auth_session;
    auth_session::Entity::delete_many().filter(auth_session::Column::AccountId.eq(account_id)).exec(db).await?;
    Ok(())
}
