//! Files beside a module (its images), served from the content folder.

use crate::startup::ServerState;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn routes() -> Router<ServerState> {
    Router::new().route("/modul/{slug}/{file}", get(module_file))
}

/// Raster images only: SVG can carry script, and nothing else belongs beside a module.
fn content_type(file: &str) -> Option<&'static str> {
    let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        _ => return None,
    })
}

async fn module_file(State(state): State<ServerState>, Path((slug, file)): Path<(String, String)>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "Berkas tidak ditemukan").into_response();
    let Some(module) = state.app.content.module(&slug) else { return not_found() };
    let Some(kind) = content_type(&file) else { return not_found() };
    if file.contains(['/', '\\']) || file.starts_with('.') {
        return not_found();
    }
    let Some(dir) = module.path.parent() else { return not_found() };
    match tokio::fs::read(dir.join(&file)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "public, max-age=86400"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => not_found(),
    }
}
