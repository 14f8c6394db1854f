//! A certificate as a verifier sees it, and the lookups by code, holder and diklat.

use super::payload::Payload;
use crate::{
    entities::{certificate, diklat},
    services::schedule,
    AppError,
};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use types::CertificateStanding;

/// A certificate's standing as a verifier sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Active,
    Revoked { at: chrono::DateTime<chrono::Utc>, reason: String },
    Expired { on: chrono::NaiveDate },
}

impl Status {
    /// The standing alone (what the JSON API's `status` says).
    pub fn standing(&self) -> CertificateStanding {
        match self {
            Status::Active => CertificateStanding::Active,
            Status::Revoked { .. } => CertificateStanding::Revoked,
            Status::Expired { .. } => CertificateStanding::Expired,
        }
    }
}

/// Revoked wins over expired; a certificate expires the day after its `expires_on`
/// ([`CertificateStanding::of`]).
pub fn status_of(c: &certificate::Model, today: chrono::NaiveDate) -> Status {
    match CertificateStanding::of(c.status, c.expires_on, today) {
        CertificateStanding::Revoked => Status::Revoked {
            at: c.revoked_at.unwrap_or(c.issued_at),
            reason: c.revocation_reason.clone().unwrap_or_default(),
        },
        CertificateStanding::Expired => Status::Expired { on: c.expires_on.unwrap_or(today) },
        CertificateStanding::Active => Status::Active,
    }
}

/// A certificate found by its verification code, with its signature checked.
#[derive(Clone, Debug)]
pub struct Verification {
    pub certificate: certificate::Model,
    pub payload: Payload,
    /// The stored payload verifies against the published key it names.
    pub signature_valid: bool,
}

impl Verification {
    pub fn status(&self, today: chrono::NaiveDate) -> Status {
        status_of(&self.certificate, today)
    }
}

/// What a typed code leads to.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// Not a code (wrong length, a letter codes never use, the check character does not match):
    /// caught before any lookup.
    Typo(crate::certcode::CodeError),
    /// A well-formed code nobody holds.
    Unknown,
    Found(Arc<Verification>),
}

/// Verifications by canonical code. Revocation and expiry changes drop their entry; the time to
/// live bounds what another server sharing the database could show stale.
pub type VerificationCache = crate::cache::TtlCache<String, Arc<Verification>>;
pub const VERIFICATION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Looks a typed code up: the check character first, then the cache, then the database. The
/// signature is checked once per cached entry.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    cache: &VerificationCache,
    typed: &str,
) -> Result<Lookup, AppError> {
    let code = match crate::certcode::parse(typed) {
        Ok(code) => code,
        Err(e) => return Ok(Lookup::Typo(e)),
    };
    if let Some(v) = cache.get(&code) {
        return Ok(Lookup::Found(v));
    }
    let epoch = cache.epoch();
    let Some(c) = by_code(db, &code).await? else { return Ok(Lookup::Unknown) };
    let v = Arc::new(verification(key, c)?);
    cache.insert_at(code, v.clone(), epoch);
    Ok(Lookup::Found(v))
}

/// Reads a certificate's payload and checks its signature against `key`.
pub fn verification(key: &crate::signing::CertificateKey, c: certificate::Model) -> Result<Verification, AppError> {
    let payload: Payload = serde_json::from_str(&c.payload)
        .map_err(|e| AppError::Internal(format!("certificate {}: unreadable payload: {e}", c.id)))?;
    let signature_valid = c.key_id == key.key_id
        && crate::signing::verify(&key.public_b64(), c.payload.as_bytes(), &c.signature)
        && payload.code == c.verification_code
        && payload.number == c.number;
    Ok(Verification { certificate: c, payload, signature_valid })
}

/// The certificate with this canonical code.
pub async fn by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<Option<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(certificate::Entity::find().filter(certificate::Column::VerificationCode.eq(code)).one(db).await?)
}

/// A person's certificates, newest first.
pub async fn of_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<Vec<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .order_by_desc(certificate::Column::Id)
        .all(db)
        .await?)
}

/// A diklat's certificates in number order.
pub async fn of_diklat<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Vec<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(diklat_id))
        .order_by_asc(certificate::Column::Seq)
        .all(db)
        .await?)
}

/// A certificate the caller manages (its diklat is in one of `scopes`), else `NotFound`.
pub async fn managed<C: ConnectionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    certificate_id: i32,
) -> Result<(certificate::Model, diklat::Model), AppError> {
    use sea_orm::EntityTrait;
    let c = certificate::Entity::find_by_id(certificate_id).one(db).await?.ok_or(AppError::NotFound)?;
    let d = schedule::managed(db, scopes, c.diklat_id).await?;
    Ok((c, d))
}

/// The certificate whose code is `typed`, if `caller` may download it: its holder, or panitia
/// or admin whose scope covers its diklat. Anything else — a malformed code, an unknown one,
/// someone else's — is `NotFound`, so a response never tells which.
pub async fn downloadable<C: ConnectionTrait>(
    db: &C,
    caller: &crate::auth::Caller,
    typed: &str,
) -> Result<certificate::Model, AppError> {
    use crate::auth::Role;
    let code = crate::certcode::parse(typed).map_err(|_| AppError::NotFound)?;
    let c = by_code(db, &code).await?.ok_or(AppError::NotFound)?;
    if c.person_id == caller.person_id
        || (caller.require_any(&[Role::Panitia, Role::Admin]).is_ok()
            && managed(db, &caller.management_scopes(), c.id).await.is_ok())
    {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads and checks each certificate (see [`verification`]).
pub fn verifications(
    key: &crate::signing::CertificateKey,
    certificates: Vec<certificate::Model>,
) -> Result<Vec<Verification>, AppError> {
    certificates.into_iter().map(|c| verification(key, c)).collect()
}

/// The certificates of a diklat the caller manages, read and checked, in number order; only
/// those of `kelurahan` when it is given (what a ZIP holds).
pub async fn managed_of_diklat<C: ConnectionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    scopes: &[crate::auth::Scope],
    diklat_id: i32,
    kelurahan: Option<&str>,
) -> Result<(diklat::Model, Vec<Verification>), AppError> {
    let d = schedule::managed(db, scopes, diklat_id).await?;
    let mut list = verifications(key, of_diklat(db, d.id).await?)?;
    if let Some(k) = kelurahan {
        list.retain(|v| v.payload.kelurahan == k);
    }
    Ok((d, list))
}
