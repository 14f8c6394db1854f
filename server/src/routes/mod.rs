//! Plain axum endpoints beside the Leptos pages: health, language switch, error page.

use crate::startup::ServerState;
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
pub use types::Text;

mod admin;
mod attendance;
mod auth;
mod certificates;
pub use certificates::{cached_verification_page, VerifyPageCache, VERIFY_PAGE_TTL};
mod codes;
mod evaluation;
mod extract;
mod modules;
mod people;
mod quiz;
mod report;
mod schedule;

pub fn api() -> Router<ServerState> {
    Router::new()
        .route("/healthz", get(health))
        .route("/.well-known/diklat-kkmp-keys.json", get(certificate_keys))
        .route("/bahasa/{code}", get(set_language))
        .merge(auth::routes())
        .merge(people::routes())
        .merge(codes::routes())
        .merge(admin::routes())
        .merge(modules::routes())
        .merge(schedule::routes())
        .merge(attendance::routes())
        .merge(quiz::routes())
        .merge(certificates::routes())
        .merge(report::routes())
        .merge(evaluation::routes())
}

/// The client's address for rate limiting: the socket's peer, or the last `X-Forwarded-For`
/// entry (the one the trusted proxy wrote) when the proxy is trusted.
pub fn client_address(state: &ServerState, headers: &axum::http::HeaderMap, peer: std::net::SocketAddr) -> String {
    // The last entry is the one the proxy appended (the address it saw); anything before it came
    // from the client, which could otherwise pick a new address for every guess.
    // A proxy may append its entry to the header's last line or add a line of its own: the last
    // entry of the last line is the proxy's either way (reading only the first line let a client
    // choose the address whenever the proxy added a line).
    if state.trust_forwarded_for {
        if let Some(last) = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return last.to_string();
        }
    }
    peer.ip().to_string()
}

/// Refuses state-changing requests whose `Origin` names another site. Session cookies are
/// SameSite=Lax, which already keeps them off cross-site posts; this also stops cross-site
/// posts that need no cookie (such as signing a victim into an attacker's account).
pub async fn same_origin_posts(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use axum::http::Method;
    if !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
        let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        if let (Some(origin), Some(host)) = (origin, host) {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest).trim_end_matches('/');
            if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
                return (StatusCode::FORBIDDEN, "Permintaan dari situs lain ditolak / cross-site request refused")
                    .into_response();
            }
        }
    }
    next.run(request).await
}

/// `GET /healthz`: 200 with JSON when the database answers, 503 otherwise.
async fn health(State(state): State<ServerState>) -> impl IntoResponse {
    let health = domain::services::health::check(&state.app).await;
    let status = if health.database.reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(health))
}

#[derive(Deserialize)]
struct Back {
    ke: Option<String>,
}

/// `GET /bahasa/{id|en}?ke=/path`: remembers the language in a cookie and goes back. A plain
/// link, so it works without JavaScript.
async fn set_language(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(lang) = app::i18n::Lang::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "Bahasa tidak dikenal / unknown language").into_response();
    };
    let target = back.ke.filter(|p| app::i18n::is_local_path(p)).unwrap_or_else(|| "/".to_string());
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", app::i18n::COOKIE, lang.code());
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&target), HeaderValue::from_str(&cookie)) {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The most any request may send: the largest upload (5 MB) with its form around it. Routes
/// without an upload take at most axum's 2 MB form limit. Server functions read their bodies
/// themselves; this bounds them too.
pub const MAX_REQUEST_BYTES: usize = 6 * 1024 * 1024;

/// How long a handler may take before the client gets 408 (exports stream after their headers,
/// so their length is not bounded by this).
pub const HANDLER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Names the client of every request: its address goes with each audit line the request writes
/// (`audit::with_client`), and every refusal (403) is logged with who, from where and what they
/// asked for. Repeated refusals are how probing for other people's data shows.
pub async fn note_client(
    State(state): State<ServerState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let account = request.extensions().get::<domain::auth::Caller>().map(|c| c.account_id);
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|peer| client_address(&state, request.headers(), peer.0));
    if let Some(client) = &client {
        request.extensions_mut().insert(domain::services::audit::ClientAddress(client.clone()));
    }
    let response = match client.clone() {
        Some(client) => domain::services::audit::with_client(client, next.run(request)).await,
        None => next.run(request).await,
    };
    if response.status() == StatusCode::FORBIDDEN {
        tracing::warn!(
            target: "diklat::security",
            %method,
            path = %path.chars().take(200).collect::<String>(),
            account = ?account,
            client = client.as_deref().unwrap_or("-"),
            "request refused (403)"
        );
    }
    response
}

/// A server function called with arguments it cannot read answers 400, not 500: the fault is the
/// caller's. (The framework answers every error 500 and says which in the body: `Args|…` or
/// `Deserialization|…` for arguments it could not parse.) The body is kept for its own client.
pub async fn bad_server_fn_arguments(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/") && !request.uri().path().starts_with("/api/v1/");
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if bytes.starts_with(b"Args|") || bytes.starts_with(b"Deserialization|") {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Turns the framework's plain-text rejections of a request that is too large (413) or took too
/// long (408) into a page in Bahasa Indonesia; everything else passes untouched.
pub async fn explain_rejections(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let (title, id, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE if plain => (
            "Data terlalu besar",
            format!(
                "Data yang dikirim terlalu besar. Berkas unggahan paling besar {} MB; isian formulir paling \
                 besar 2 MB. Kembali, lalu kirim berkas atau isian yang lebih kecil.",
                domain::services::import::MAX_BYTES / 1024 / 1024
            ),
            "The request is too large.",
        ),
        StatusCode::REQUEST_TIMEOUT if plain => (
            "Waktu habis",
            "Server terlalu lama memproses permintaan ini. Silakan coba lagi sebentar lagi.".to_string(),
            "The request took too long.",
        ),
        _ => return response,
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{title} — Diklat KKMP</title>\
             <link rel=\"stylesheet\" href=\"/pkg/diklat.css\"></head><body><main class=\"container narrow\">\
             <h1>{title}</h1><p role=\"alert\">{id}</p><p lang=\"en\"><em>{en}</em></p>\
             <p><a href=\"/\">Kembali ke beranda</a></p></main></body></html>"
        ),
    )
        .into_response()
}

/// What a visitor sees if a handler panics: a sentence, never a stack trace.
pub fn panic_page(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Terjadi kesalahan — Diklat KKMP</title>\
         <link rel=\"stylesheet\" href=\"/pkg/diklat.css\"></head><body><main class=\"container narrow\">\
         <h1>Terjadi kesalahan</h1><p>Maaf, halaman ini gagal dimuat karena kesalahan di server. \
         Silakan coba lagi; bila berulang, hubungi panitia.</p><p lang=\"en\"><em>Something went wrong \
         on the server. Please try again.</em></p><p><a href=\"/\">Kembali ke beranda</a></p></main></body></html>",
    )
        .into_response()
}

/// A file download that is never cached.
pub fn download(bytes: Vec<u8>, file: &str, kind: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, content_disposition(file)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment; filename="…"` for a file name built from anything a request carried: only
/// letters, digits, `-`, `_` and one final extension survive, so a crafted id can neither change
/// the saved file's type (`laporan.html`) nor break the header (a line break answered 500).
pub fn content_disposition(file: &str) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    let clean = |s: &str, max: usize| -> String {
        let kept: String = s
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
            .take(max)
            .collect();
        kept.trim_matches('-').to_string()
    };
    let stem = match clean(stem, 80) {
        s if s.is_empty() => "unduhan".to_string(),
        s => s,
    };
    let ext = clean(ext, 8);
    if ext.is_empty() {
        format!("attachment; filename=\"{stem}\"")
    } else {
        format!("attachment; filename=\"{stem}.{ext}\"")
    }
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `rows` with the heading's scope of diklat `d` (its region and name).
pub(crate) async fn scoped<C: sea_orm::ConnectionTrait>(
    db: &C,
    d: &domain::entities::diklat::Model,
    rows: Result<Vec<Vec<String>>, domain::AppError>,
) -> Result<(Vec<Vec<String>>, String), domain::AppError> {
    let rows = rows?;
    Ok((rows, domain::services::export::Heading::diklat_scope(db, d).await?))
}

/// What an exported table is: its CSV column names (the public interface, kept as they are), the
/// headers a person reads in the XLSX, and the sheet's name and heading.
pub struct Table<'a> {
    pub columns: &'a [&'a str],
    pub labels: &'a [&'a str],
    pub sheet: &'a str,
}

/// A table as `.csv` (UTF-8 with BOM, formula-safe) or `.xlsx` (one sheet under its heading), by
/// `ext`; `rows` come with the heading's scope (the region or diklat they are about).
pub fn export_response(
    rows: Result<(Vec<Vec<String>>, String), domain::AppError>,
    table: &Table,
    title: &str,
    file: &str,
    ext: &str,
) -> Response {
    use domain::services::export;
    let (rows, scope) = match rows {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match ext {
        "csv" => download(export::csv_document(table.columns, &rows), file, "text/csv; charset=utf-8"),
        "xlsx" => match export::xlsx(table.sheet, &export::Heading::new(title, scope), table.labels, &rows) {
            Ok(bytes) => download(bytes, file, XLSX),
            Err(e) => e.into_response(),
        },
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /.well-known/diklat-kkmp-keys.json`: the public key that signs certificates (a JWK set),
/// so a bank or SIMKOPDES can check a certificate without trusting this server's database.
async fn certificate_keys(State(state): State<ServerState>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=3600"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        axum::Json(state.app.certificate_key.jwks()),
    )
        .into_response()
}

/// `{prefix}-{id}.{csv|xlsx}` exactly (nothing else in the name: it is sent back as the file
/// name), as the id and extension.
pub fn split_file<'a>(file: &'a str, prefix: &str) -> Option<(i32, &'a str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let id: i32 = stem.strip_prefix(prefix)?.strip_prefix('-')?.parse().ok()?;
    (stem == format!("{prefix}-{id}") && matches!(ext, "csv" | "xlsx")).then_some((id, ext))
}
