//! Changes after issue: revocation and expiry (audited, never a delete).

use super::verify::managed;
use crate::{entities::certificate, services::schedule, AppError};
use sea_orm::ConnectionTrait;

/// Shortest reason a revocation accepts (it is shown to everyone who verifies the certificate).
pub const MIN_REASON_CHARS: usize = 10;

/// Revokes a certificate (panitia or admin of its diklat): never a delete — the number stays
/// taken and verification shows *Dicabut* with the reason and date. Audited.
pub async fn revoke<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    certificate_id: i32,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<certificate::Model, AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionSession};
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(AppError::invalid(
            "Alasan pencabutan",
            format!("Alasan pencabutan: tulis alasannya (minimal {MIN_REASON_CHARS} karakter); alasan ini ditampilkan saat sertifikat diperiksa."),
            format!("Reason for revocation: write the reason (at least {MIN_REASON_CHARS} characters); it is shown when the certificate is verified."),
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "Alasan pencabutan",
            "Alasan pencabutan: paling banyak 500 karakter.",
            "Reason for revocation: at most 500 characters.",
        ));
    }
    let txn = db.begin().await?;
    let (c, _) = managed(&txn, scopes, certificate_id).await?;
    if c.status == types::CertificateStatus::Revoked {
        return Err(AppError::invalid(
            "Sertifikat",
            format!("{} sudah dicabut.", c.number),
            format!("{} has already been revoked.", c.number),
        ));
    }
    let mut row: certificate::ActiveModel = c.into();
    row.status = Set(types::CertificateStatus::Revoked);
    row.revoked_at = Set(Some(now));
    row.revoked_by = Set(Some(actor));
    row.revocation_reason = Set(Some(reason.to_string()));
    let c = row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "certificate.revoke",
        "certificate",
        Some(c.id.to_string()),
        Some(serde_json::json!({ "number": c.number, "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Sets or clears a certificate's expiry date (after its issue date). Audited.
pub async fn set_expiry<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    certificate_id: i32,
    expires_on: Option<chrono::NaiveDate>,
) -> Result<certificate::Model, AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionSession};
    let txn = db.begin().await?;
    let (c, _) = managed(&txn, scopes, certificate_id).await?;
    let issued_on = c.issued_at.with_timezone(&schedule::wib()).date_naive();
    if expires_on.is_some_and(|d| d <= issued_on) {
        return Err(AppError::invalid(
            "Berlaku sampai",
            format!("Berlaku sampai: tanggal harus sesudah tanggal terbit ({}).", issued_on.format("%d-%m-%Y")),
            format!("Valid until: the date must be after the issue date ({}).", issued_on.format("%d-%m-%Y")),
        ));
    }
    let mut row: certificate::ActiveModel = c.into();
    row.expires_on = Set(expires_on);
    let c = row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "certificate.expiry",
        "certificate",
        Some(c.id.to_string()),
        Some(serde_json::json!({ "number": c.number, "expires_on": expires_on })),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}
