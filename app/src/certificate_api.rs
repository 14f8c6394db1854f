//! Certificates in the UI: public verification, a participant's own certificates, the ZIP
//! downloads' progress.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a verifier sees of a certificate (the signed content, and its standing today).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateCard {
    pub code: String,
    pub number: String,
    pub status: types::CertificateStanding,
    /// (date, reason) when revoked.
    pub revoked: Option<(String, String)>,
    pub expires_on: Option<String>,
    pub holder: String,
    pub nik: String,
    pub jabatan: String,
    pub kkmp: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub diklat: String,
    pub dates: String,
    pub venue: String,
    pub jp: i32,
    pub issued_on: String,
    /// (module, post-test grade)
    pub post_tests: Vec<(String, String)>,
    /// Certificates signed since December 2026 (payload version 2): the days the sessions were
    /// actually held, and the modules covered with the version of their text.
    pub held: Option<String>,
    pub modules: Vec<(String, String)>,
    pub signature_valid: bool,
    pub key_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum VerifyOutcome {
    /// No code typed yet.
    Empty,
    /// Not a code: what is wrong with it (caught by the check character before any lookup).
    Typo(String),
    /// A certificate *number* (`KKMP-MLG/2026/000053`), not its code. Numbers are not looked up:
    /// they are sequential, so anyone could walk through them.
    Number,
    /// A well-formed code nobody holds.
    Unknown,
    Found(Box<CertificateCard>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerificationView {
    pub typed: String,
    pub outcome: VerifyOutcome,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use domain::services::certificates::{Status, Verification};

    /// The card of a found certificate, as of `today`.
    pub fn card(v: &Verification, today: chrono::NaiveDate, lang: crate::i18n::Lang) -> CertificateCard {
        let p = &v.payload;
        let date = |d: chrono::NaiveDate| crate::schedule_api::ssr::dates(d, d);
        let status = v.status(today);
        CertificateCard {
            code: v.certificate.verification_code.clone(),
            number: p.number.clone(),
            status: status.standing(),
            revoked: match &status {
                Status::Revoked { at, reason } => {
                    Some((date(at.with_timezone(&domain::services::schedule::wib()).date_naive()), reason.clone()))
                }
                _ => None,
            },
            expires_on: v.certificate.expires_on.map(date),
            holder: p.holder.clone(),
            nik: p.nik.clone(),
            jabatan: crate::i18n::signed_jabatan(&p.jabatan, lang),
            kkmp: p.kkmp.clone(),
            kelurahan: p.kelurahan.clone(),
            kecamatan: p.kecamatan.clone(),
            diklat: p.diklat.clone(),
            dates: crate::schedule_api::ssr::dates(p.starts_on, p.ends_on),
            venue: p.venue.clone(),
            jp: p.jp,
            issued_on: date(p.issued_on),
            post_tests: p.post_tests.iter().map(|(m, g)| (m.clone(), format!("{g:.1}"))).collect(),
            held: p.held_from.zip(p.held_to).map(|(from, to)| crate::schedule_api::ssr::dates(from, to)),
            modules: p.modules.clone(),
            signature_valid: v.signature_valid,
            key_id: v.certificate.key_id.clone(),
        }
    }
}

/// `/verifikasi?kode=…` and `/verifikasi/{code}`: anyone, no sign-in. An unknown code says only
/// that it is not registered.
/// Whether a typed text reads as a certificate number (`PREFIX/YEAR/SEQUENCE`, e.g.
/// `KKMP-MLG/2026/000053`): a code never holds a `/`.
pub fn looks_like_a_number(typed: &str) -> bool {
    let parts: Vec<&str> = typed.trim().split('/').map(str::trim).collect();
    parts.len() == 3
        && !parts[0].is_empty()
        && parts[1].len() == 4
        && parts[1].bytes().all(|b| b.is_ascii_digit())
        && !parts[2].is_empty()
        && parts[2].bytes().all(|b| b.is_ascii_digit())
}

#[server(endpoint = "sertifikat-verifikasi")]
pub async fn verify_certificate(code: String) -> Result<VerificationView, ServerFnError> {
    use crate::api::ssr::{fail, state};
    use domain::services::{certificates, schedule};
    let typed: String = code.trim().chars().take(64).collect();
    if typed.is_empty() {
        return Ok(VerificationView { typed, outcome: VerifyOutcome::Empty });
    }
    if looks_like_a_number(&typed) {
        return Ok(VerificationView { typed, outcome: VerifyOutcome::Number });
    }
    let state = state()?;
    // Called over HTTP (`/api/…`), it answers what the JSON API answers: the same budget. While a
    // page renders, the page's own.
    let direct = use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    let client = crate::api::ssr::client_address();
    if let Err(seconds) = state.verification_allowed(&client, !direct).await.map_err(fail)? {
        return Err(fail(domain::AppError::TooManyRequests { seconds }));
    }
    let lookup = certificates::verify(state.db.read(), &state.certificate_key, &state.verifications, &typed)
        .await
        .map_err(fail)?;
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let outcome = match lookup {
        certificates::Lookup::Typo(e) => VerifyOutcome::Typo(e.to_string()),
        certificates::Lookup::Unknown => VerifyOutcome::Unknown,
        certificates::Lookup::Found(v) => {
            VerifyOutcome::Found(Box::new(ssr::card(&v, schedule::today_wib(chrono::Utc::now()), lang)))
        }
    };
    Ok(VerificationView { typed, outcome })
}

/// One of the participant's certificates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnCertificate {
    pub card: CertificateCard,
    /// `/unduh/sertifikat/{code}.pdf`
    pub pdf: String,
    pub verify_url: String,
}

/// `/sertifikat`: the caller's certificates, newest first.
#[server(endpoint = "sertifikat-saya")]
pub async fn my_certificates() -> Result<Vec<OwnCertificate>, ServerFnError> {
    use crate::api::ssr::{fail, require_caller, state};
    use domain::services::{certificates, schedule};
    let caller = require_caller()?;
    let state = state()?;
    let today = schedule::today_wib(chrono::Utc::now());
    let lang = use_context::<crate::i18n::Lang>().unwrap_or_default();
    let base = use_context::<crate::schedule_api::PublicUrl>().map(|p| p.0).unwrap_or_default();
    let mut out = Vec::new();
    let own = certificates::of_person(state.db.read(), caller.person_id).await.map_err(fail)?;
    for v in certificates::verifications(&state.certificate_key, own).map_err(fail)? {
        let code = v.certificate.verification_code.clone();
        out.push(OwnCertificate {
            card: ssr::card(&v, today, lang),
            pdf: format!("/unduh/sertifikat/{code}.pdf"),
            verify_url: format!("{base}/verifikasi/{code}"),
        });
    }
    Ok(out)
}

/// A ZIP of certificates being put together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZipProgress {
    pub id: String,
    pub title: String,
    pub done: usize,
    pub total: usize,
    /// Where to download it once finished.
    pub download: Option<String>,
    pub error: Option<String>,
    pub back: String,
}

/// `/sertifikat/unduhan/{id}`: how far a ZIP has come (only the panitia who asked for it).
#[server(endpoint = "sertifikat-zip")]
pub async fn zip_job_progress(id: String) -> Result<ZipProgress, ServerFnError> {
    use crate::api::ssr::{fail, require_caller, state};
    let caller = require_caller()?;
    let state = state()?;
    let job = domain::services::zip_jobs::progress(state.db.read(), &id, caller.account_id, chrono::Utc::now())
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(domain::AppError::NotFound))?;
    let english = crate::app::request_lang() == crate::i18n::Lang::En;
    Ok(ZipProgress {
        download: job.finished.then(|| format!("/unduh/sertifikat-zip/{id}")),
        id,
        title: job.title,
        done: job.done,
        total: job.total,
        error: job.error.map(|e| e.get(english).to_string()),
        back: job.back,
    })
}
