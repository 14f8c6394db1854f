//! Certificates over HTTP: the machine verification API, bulk issue, revocation and expiry
//! (form posts), the PDF and ZIP downloads.

use super::extract::{Manager, Reply, SignedIn, Visitor};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Json, Router,
};
use domain::{
    services::{
        audit::ClientAddress,
        certificates::{self, Lookup, Status},
        schedule, zip_jobs,
    },
    AppError,
};
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/api/v1/certificates/{code}", get(api_verify))
        .route("/diklat/{id}/sertifikat/terbitkan", post(bulk_issue))
        .route("/diklat/{id}/sertifikat/lebih-awal", post(allow_early))
        .route("/sertifikat/tetap", post(keep))
        .route("/diklat/{id}/sertifikat/zip", post(start_zip))
        .route("/sertifikat/cabut", post(revoke))
        .route("/sertifikat/berlaku", post(set_expiry))
        .route("/unduh/sertifikat/{file}", get(pdf))
        .route("/unduh/sertifikat-zip/{id}", get(zip_download))
}

/// A verification page as it was sent: status, the headers that matter, the (compressed) body.
pub struct CachedPage {
    status: StatusCode,
    headers: Vec<(header::HeaderName, header::HeaderValue)>,
    body: axum::body::Bytes,
}

/// Cached verification pages by path, language and encoding.
pub type VerifyPageCache = domain::cache::TtlCache<String, std::sync::Arc<CachedPage>>;
/// How long a cached page may be shown: bounds what another server's revocation (or the day an
/// expiry passes) could leave stale here. This server's own changes drop it at once
/// (`AppState::certificates_changed`).
pub const VERIFY_PAGE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// `GET /verifikasi/{code}` for visitors who are not signed in — what a QR scan is — is the same
/// page for everyone until the certificate changes, so it is rendered and compressed once and
/// then served from memory. Signed-in visitors (their name is in the header) and every other
/// path go through as usual.
pub async fn cached_verification_page(
    State(state): State<ServerState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let cacheable = request.method() == axum::http::Method::GET
        && path.starts_with("/verifikasi/")
        && request.uri().query().is_none()
        && !request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .any(|c| c.to_str().map_or(true, |c| c.contains(crate::session::COOKIE_NAME)));
    if !cacheable {
        return next.run(request).await;
    }
    let headers = request.headers();
    let accepts = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let encoding = if accepts.contains("br") {
        "br"
    } else if accepts.contains("gzip") {
        "gzip"
    } else {
        "identity"
    };
    let lang = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(app::i18n::Lang::from_cookie_header)
        .find(|l| *l != app::i18n::Lang::Id)
        .unwrap_or_default();
    let key = format!("{path}|{}|{encoding}", lang.code());
    if let Some(page) = state.verify_pages.get(&key) {
        let mut response = (page.status, page.body.clone()).into_response();
        // insert, not extend: the body's own `application/octet-stream` must be replaced, not
        // sent beside the page's type.
        for (name, value) in page.headers.iter().cloned() {
            response.headers_mut().insert(name, value);
        }
        return response;
    }
    let epoch = state.verify_pages.epoch();
    let response = next.run(request).await;
    // Only whole pages for a found or unknown code: nothing that sets a cookie.
    if !matches!(response.status(), StatusCode::OK | StatusCode::NOT_FOUND)
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "halaman gagal dibaca").into_response();
    };
    let kept: Vec<_> = [
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
        header::VARY,
        header::CACHE_CONTROL,
        // Not its Content-Security-Policy: that allows the scripts of one nonce, and a nonce
        // shown to every visitor is no secret. A page from the cache gets the policy that runs
        // no script (the router's outer layer); it reads and works the same without them.
    ]
    .into_iter()
    .filter_map(|name| parts.headers.get(&name).map(|v| (name, v.clone())))
    .collect();
    let page = std::sync::Arc::new(CachedPage { status: parts.status, headers: kept, body: body.clone() });
    state.verify_pages.insert_at(key, page, epoch);
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

/// `GET /api/v1/certificates/{code}`: the certificate's standing and its signed payload as JSON,
/// for a bank or SIMKOPDES to check by machine (the signature verifies against
/// `/.well-known/diklat-kkmp-keys.json`). Rate-limited per client address.
async fn api_verify(
    State(state): State<ServerState>,
    client: Option<Extension<ClientAddress>>,
    Path(code): Path<String>,
) -> Response {
    let cors = (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    let client = client.map(|Extension(c)| c.0).unwrap_or_default();
    let allowed = match state.app.verification_allowed(&client, false).await {
        Ok(allowed) => allowed,
        Err(e) => {
            tracing::error!("counting a verification: {e:?}");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [cors],
                Json(serde_json::json!({ "error": e.public_message() })),
            )
                .into_response();
        }
    };
    if let Err(seconds) = allowed {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
            [cors],
            Json(serde_json::json!({
                "error": format!("Terlalu banyak permintaan dari alamat ini; coba lagi dalam {seconds} detik."),
            })),
        )
            .into_response();
    }
    let lookup =
        certificates::verify(state.app.db.read(), &state.app.certificate_key, &state.app.verifications, &code).await;
    match lookup {
        Ok(Lookup::Found(v)) => {
            let status = v.status(schedule::today_wib(chrono::Utc::now()));
            let (revoked_at, reason) = match &status {
                Status::Revoked { at, reason } => (Some(*at), Some(reason.clone())),
                _ => (None, None),
            };
            let body = serde_json::json!({
                "code": v.certificate.verification_code,
                "status": status.standing(),
                "revoked_at": revoked_at,
                "revocation_reason": reason,
                "expires_on": v.certificate.expires_on,
                "signature_valid": v.signature_valid,
                "certificate": v.payload,
                "payload": v.certificate.payload,
                "signature": v.certificate.signature,
                "key_id": v.certificate.key_id,
                "keys": "/.well-known/diklat-kkmp-keys.json",
                "verification_page": format!("{}/verifikasi/{}", state.public_url, v.certificate.verification_code),
            });
            ([cors], Json(body)).into_response()
        }
        Ok(Lookup::Unknown) => {
            (StatusCode::NOT_FOUND, [cors], Json(serde_json::json!({ "error": "Kode verifikasi tidak terdaftar." })))
                .into_response()
        }
        Ok(Lookup::Typo(e)) => {
            (StatusCode::BAD_REQUEST, [cors], Json(serde_json::json!({ "error": e.to_string() }))).into_response()
        }
        Err(e) => {
            tracing::error!("certificate verification: {e:?}");
            (StatusCode::INTERNAL_SERVER_ERROR, [cors], Json(serde_json::json!({ "error": e.public_message() })))
                .into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct ConfirmForm {
    yakin: Option<String>,
}

#[derive(serde::Deserialize)]
struct EarlyForm {
    alasan: String,
    yakin: Option<String>,
}

/// Records the exception that lets certificates of a diklat be issued before its last session
/// has ended (who allowed it and why are kept and audited).
async fn allow_early(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Path(id): Path<i32>,
    Form(f): Form<EarlyForm>,
) -> Response {
    let back = format!("/diklat/{id}/kelulusan");
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang kotak konfirmasi untuk mencatat pengecualian.",
                    "Tick the confirmation box to record the exception.",
                )),
            )
            .await;
    }
    let result = certificates::allow_early_issue(
        state.app.db.write(),
        &scopes,
        caller.account_id,
        id,
        &f.alasan,
        chrono::Utc::now(),
    )
    .await;
    reply
        .finish(
            result,
            |()| {
                Text::new(
                    "Pengecualian tercatat: sertifikat boleh terbit sebelum sesi terakhir selesai.",
                    "Exception recorded: certificates may be issued before the last session has ended.",
                )
            },
            &back,
        )
        .await
}

#[derive(serde::Deserialize)]
struct KeepForm {
    id: i32,
    yakin: Option<String>,
}

/// A panitia keeps a certificate whose holder no longer meets a changed rule (recorded, audited).
async fn keep(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<KeepForm>,
) -> Response {
    let back = back_of(&state, &scopes, f.id).await;
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang kotak konfirmasi untuk tetap memberlakukan sertifikat ini.",
                    "Tick the confirmation box to keep this certificate valid.",
                )),
            )
            .await;
    }
    let modules = state.app.quiz_modules();
    let result =
        certificates::confirm(state.app.db.write(), &scopes, caller.account_id, f.id, &modules, chrono::Utc::now())
            .await;
    reply
        .finish(
            result,
            |c| {
                Text::new(
                    format!("Sertifikat {} tetap berlaku; keputusan ini tercatat.", c.number),
                    format!("Certificate {} stays valid; this decision is recorded.", c.number),
                )
            },
            &back,
        )
        .await
}

/// Bulk issue after panitia reviewed the list: everyone who meets the rule and has none yet.
async fn bulk_issue(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Path(id): Path<i32>,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let back = format!("/diklat/{id}/kelulusan");
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang kotak konfirmasi untuk menerbitkan sertifikat.",
                    "Tick the confirmation box to issue the certificates.",
                )),
            )
            .await;
    }
    let result = async {
        let d = schedule::managed(state.app.db.read(), &scopes, id).await?;
        let now = chrono::Utc::now();
        if !certificates::may_issue(state.app.db.read(), &d, now).await? {
            let end = domain::services::windows::last_session_end(state.app.db.read(), d.id).await?;
            let (id, en) = match end {
                Some(end) => {
                    let end = end.with_timezone(&schedule::wib());
                    (
                        format!(
                            "Sertifikat belum dapat diterbitkan: sesi terakhir diklat ini baru berakhir {}. Bila \
                             ada alasan sah untuk menerbitkan lebih awal, catat pengecualiannya di bawah.",
                            end.format("%d-%m-%Y pukul %H:%M WIB")
                        ),
                        format!(
                            "Certificates cannot be issued yet: the last session of this training ends {}. If \
                             there is a valid reason to issue early, record the exception below.",
                            end.format("%d-%m-%Y at %H:%M WIB")
                        ),
                    )
                }
                None => (
                    "Sertifikat belum dapat diterbitkan: diklat ini belum mempunyai sesi.".to_string(),
                    "Certificates cannot be issued yet: this training has no sessions.".to_string(),
                ),
            };
            return Err(AppError::invalid("Sertifikat", id, en));
        }
        let modules = state.app.quiz_modules();
        certificates::issue_eligible(
            state.app.db.read(),
            state.app.db.write(),
            &state.app.certificate_key,
            &d,
            &modules,
            None,
            Some(caller.account_id),
        )
        .await
    }
    .await;
    if result.as_ref().is_ok_and(|issued| !issued.is_empty()) {
        state.app.reports_changed();
    }
    reply
        .finish(
            result,
            |issued| match issued.len() {
                0 => Text::new(
                    "Tidak ada sertifikat baru: semua peserta yang memenuhi syarat sudah memilikinya.",
                    "No new certificates: every participant who qualifies already has one.",
                ),
                1 => Text::new("1 sertifikat diterbitkan.", "1 certificate issued."),
                n => Text::new(format!("{n} sertifikat diterbitkan."), format!("{n} certificates issued.")),
            },
            &back,
        )
        .await
}

#[derive(serde::Deserialize)]
struct RevokeForm {
    id: i32,
    #[serde(default)]
    alasan: String,
    yakin: Option<String>,
}

/// Where to go back after changing certificate `id`: its diklat's completion page when the
/// caller (a [`Manager`], so nobody else learns which diklat a certificate id belongs to)
/// manages it.
async fn back_of(state: &ServerState, scopes: &[domain::auth::Scope], certificate_id: i32) -> String {
    match certificates::managed(state.app.db.read(), scopes, certificate_id).await {
        Ok((c, _)) => format!("/diklat/{}/kelulusan", c.diklat_id),
        Err(_) => "/diklat".to_string(),
    }
}

/// Revocation (panitia or admin of the certificate's diklat): a reason, a confirmation, audited.
async fn revoke(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<RevokeForm>,
) -> Response {
    let back = back_of(&state, &scopes, f.id).await;
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang \"Saya yakin\" untuk mencabut sertifikat.",
                    "Tick \"Saya yakin\" (I am sure) to revoke the certificate.",
                )),
            )
            .await;
    }
    let result =
        certificates::revoke(state.app.db.write(), &scopes, caller.account_id, f.id, &f.alasan, chrono::Utc::now())
            .await;
    if result.is_ok() {
        state.app.certificates_changed();
    }
    reply
        .finish(
            result,
            |c| Text::new(format!("Sertifikat {} dicabut.", c.number), format!("Certificate {} revoked.", c.number)),
            &back,
        )
        .await
}

#[derive(serde::Deserialize)]
struct ExpiryForm {
    id: i32,
    #[serde(default)]
    tanggal: String,
}

/// Sets or clears a certificate's expiry date.
async fn set_expiry(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<ExpiryForm>,
) -> Response {
    let back = back_of(&state, &scopes, f.id).await;
    let date = match f.tanggal.trim() {
        "" => Ok(None),
        t => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Some).map_err(|_| {
            AppError::invalid(
                "Berlaku sampai",
                "Berlaku sampai: tanggal tidak terbaca (format TTTT-BB-HH).",
                "Valid until: the date could not be read (format YYYY-MM-DD).",
            )
        }),
    };
    let result = match date {
        Ok(date) => certificates::set_expiry(state.app.db.write(), &scopes, caller.account_id, f.id, date).await,
        Err(e) => Err(e),
    };
    if result.is_ok() {
        state.app.certificates_changed();
    }
    reply
        .finish(
            result,
            |c| match c.expires_on {
                Some(d) => Text::new(
                    format!("Sertifikat {} berlaku sampai {}.", c.number, d.format("%d-%m-%Y")),
                    format!("Certificate {} is valid until {}.", c.number, d.format("%d-%m-%Y")),
                ),
                None => Text::new(
                    format!("Sertifikat {} berlaku tanpa batas waktu.", c.number),
                    format!("Certificate {} is valid with no end date.", c.number),
                ),
            },
            &back,
        )
        .await
}

/// `GET /unduh/sertifikat/{code}.pdf`: the holder's own PDF, or any in a diklat the caller
/// manages. Anything else is a 404, whether or not the code exists.
async fn pdf(State(state): State<ServerState>, SignedIn(caller): SignedIn, Path(file): Path<String>) -> Response {
    let typed = file.strip_suffix(".pdf").unwrap_or("");
    let result = async {
        let c = certificates::downloadable(state.app.db.read(), &caller, typed).await?;
        let v = certificates::verification(&state.app.certificate_key, c)?;
        let bytes = crate::certificates::render(&state, &v).await?;
        Ok::<_, AppError>((v, bytes))
    }
    .await;
    match result {
        Ok((v, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", crate::certificates::file_name(&v.payload.number)),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct ZipForm {
    #[serde(default)]
    kelurahan: String,
}

/// Starts a ZIP of a diklat's certificates (all, or one kelurahan's) and shows its progress.
async fn start_zip(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Path(id): Path<i32>,
    Form(f): Form<ZipForm>,
) -> Response {
    let back = format!("/diklat/{id}/kelulusan");
    let kelurahan = f.kelurahan.trim();
    let found = certificates::managed_of_diklat(
        state.app.db.read(),
        &state.app.certificate_key,
        &scopes,
        id,
        (!kelurahan.is_empty()).then_some(kelurahan),
    )
    .await;
    let (d, list) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    if list.is_empty() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Belum ada sertifikat untuk diunduh.",
                    "There are no certificates to download yet.",
                )),
            )
            .await;
    }
    let slug = |s: &str| crate::certificates::file_slug(s).to_ascii_lowercase();
    let (title, file) = if kelurahan.is_empty() {
        (format!("Sertifikat {} ({})", d.name, list.len()), format!("sertifikat-{}.zip", slug(&d.code)))
    } else {
        (
            format!("Sertifikat {} — Kelurahan {kelurahan} ({})", d.name, list.len()),
            format!("sertifikat-{}-{}.zip", slug(&d.code), slug(kelurahan)),
        )
    };
    let job = zip_jobs::NewJob { owner_account_id: caller.account_id, title, file_name: file, back, total: list.len() };
    let job_id = match zip_jobs::start(state.app.db.write(), job, chrono::Utc::now()).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    crate::certificates::spawn_zip(&state, job_id.clone(), list);
    Redirect::to(&format!("/sertifikat/unduhan/{job_id}")).into_response()
}

/// `GET /unduh/sertifikat-zip/{id}`: a finished ZIP, for the account that asked for it.
async fn zip_download(State(state): State<ServerState>, Visitor(caller): Visitor, Path(id): Path<String>) -> Response {
    let Some(caller) = caller else { return not_found_zip() };
    match zip_jobs::download(state.app.db.read(), &id, caller.account_id, chrono::Utc::now()).await {
        Ok(Some((file_name, bytes))) => super::download(bytes, &file_name, "application/zip"),
        Ok(None) => not_found_zip(),
        Err(e) => e.into_response(),
    }
}

/// Someone else's, expired or unknown: the same answer for all three.
fn not_found_zip() -> Response {
    let text = Text::new("Berkas tidak ditemukan atau sudah kedaluwarsa.", "File not found or expired.");
    domain::error::refusal(StatusCode::NOT_FOUND, &text, false)
}
