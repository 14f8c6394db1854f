//! Files beside a module (its images), served from the content folder.

use super::extract::{Denied, Reply, Visitor, Wants};
use crate::startup::ServerState;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};
use domain::AppError;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/modul/{slug}/{file}", get(module_file)).route("/progres/tandai", post(mark_read))
}

#[derive(serde::Deserialize)]
struct MarkReadForm {
    slug: String,
    bagian: String,
}

/// The mark-as-read form. Without JavaScript it records the section, then goes back to the
/// module at the next unread section (or at this one, once the module is finished); a visitor
/// (the module page is public) is sent to sign in and back to the module. The page's island posts
/// the same form for data ([`Wants::Data`]) and gets the module's progress as JSON.
async fn mark_read(
    State(state): State<ServerState>,
    Visitor(caller): Visitor,
    wants: Wants,
    reply: Reply,
    Form(form): Form<MarkReadForm>,
) -> Response {
    let Some(module) = state.app.content.module(&form.slug) else {
        return wants.refuse(AppError::NotFound);
    };
    let page = format!("/modul/{}", app::i18n::encode_component(&form.slug));
    let Some(caller) = caller else {
        return match wants {
            Wants::Data => wants.refuse(AppError::Unauthorized),
            Wants::Page => Denied::SignIn(page).into_response(),
        };
    };
    let marked = state.app.mark_read(caller.person_id, &form.slug, &form.bagian).await;
    match (wants, marked) {
        (Wants::Data, marked) => Wants::data(marked.map(|reading| app::api::ssr::progress_view(module, &reading))),
        (Wants::Page, Ok(reading)) => {
            let to = reading.resume_anchor(module).unwrap_or(&form.bagian);
            Redirect::to(&format!("{page}#{}", app::i18n::encode_component(to))).into_response()
        }
        (Wants::Page, Err(e)) => reply.failed(e, &page).await,
    }
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
