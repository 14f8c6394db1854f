use sea_orm::entity::prelude::*;

/// A certificate: numbered, signed, revocable but never deleted.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub diklat_id: i32,
    pub person_id: i32,
    /// e.g. `KKMP-MLG/2025/000123`
    pub number: String,
    pub seq: i32,
    /// `XXXX-XXXX-XXXX-XXXX-C` (see `certcode`).
    pub verification_code: String,
    /// valid | revoked
    pub status: types::CertificateStatus,
    pub issued_at: DateTimeUtc,
    pub issued_by: Option<i32>,
    pub expires_on: Option<Date>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<i32>,
    pub revocation_reason: Option<String>,
    /// The signed JSON: verifiers check these exact bytes.
    pub payload: String,
    /// Ed25519 over `payload`, base64url.
    pub signature: String,
    pub key_id: String,
    /// When the holder stopped meeting a changed rule and a panitia kept the certificate: the
    /// standing it was kept against (`services::certificates::standing_fingerprint`), who and when.
    pub confirmed_standing: Option<String>,
    pub confirmed_by: Option<i32>,
    pub confirmed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
