//! Form posts and exports of the diklat evaluation (`domain::services::evaluation`): a
//! participant saves or sends a form; a panitia chooses the forms and downloads the report.

use super::extract::{Manager, Reply, SignedIn};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use domain::{services::evaluation, AppError};
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/evaluasi/kirim", post(answer))
        .route("/diklat/{id}/evaluasi/atur", post(choose))
        .route("/unduh/evaluasi/{file}", get(export))
}

/// `POST /evaluasi/kirim`: `diklat`, `formulir`, `sesi`, `q_<question>` per answer, `aksi` =
/// simpan | kirim, `yakin` to confirm sending. Sending without a rating, or without the
/// confirmation, keeps what was chosen as the draft and says what is missing.
async fn answer(
    State(state): State<ServerState>,
    SignedIn(caller): SignedIn,
    reply: Reply,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let (Ok(diklat), form_id, Ok(session_id)) =
        (get("diklat").parse::<i32>(), get("formulir"), get("sesi").parse::<i32>())
    else {
        return (StatusCode::BAD_REQUEST, "diklat, formulir, sesi").into_response();
    };
    let back = format!("/evaluasi/{diklat}/{form_id}/{session_id}");
    let forms = &state.app.content.forms;
    let Some(form) = forms.iter().find(|f| f.id == form_id) else { return AppError::NotFound.into_response() };
    let key = (diklat, form_id.as_str(), session_id);
    let now = chrono::Utc::now();
    let db = state.app.db.write();
    let sending = get("aksi") == "kirim";
    // What was chosen is kept as the draft first, so a refused sending loses nothing.
    let draft = match evaluation::read_answers(form, &fields, false) {
        Ok(a) => a,
        Err(e) => return reply.to(&back, Flash::error(e.public_text())).await,
    };
    if let Err(e) = evaluation::save_draft(db, caller.person_id, forms, key, &draft, now).await {
        if e.status() >= 500 {
            tracing::error!("saving an evaluation draft: {e:?}");
        }
        return reply.to(&back, Flash::error(e.public_text())).await;
    }
    if !sending {
        return reply.to(&back, Flash::ok(Text::new("Draf tersimpan.", "Draft saved."))).await;
    }
    if get("yakin").is_empty() {
        let text = Text::new(
            "Draf tersimpan. Centang \"Saya yakin\" untuk mengirim evaluasi.",
            "Draft saved. Tick \"I am sure\" to send the evaluation.",
        );
        return reply.to(&back, Flash::error(text)).await;
    }
    let sent = match evaluation::read_answers(form, &fields, true) {
        Ok(answers) => evaluation::submit(db, caller.person_id, forms, key, &answers, now).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => {
            // A required evaluation may be the last thing a certificate waited for.
            super::quiz::issue_completed(&state, caller.person_id, "a sent evaluation").await;
            reply
                .to(
                    "/evaluasi",
                    Flash::ok(Text::new("Evaluasi terkirim. Terima kasih!", "Evaluation sent. Thank you!")),
                )
                .await
        }
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("sending an evaluation: {e:?}");
            }
            reply.to(&back, Flash::error(e.public_text())).await
        }
    }
}

/// `POST /diklat/{id}/evaluasi/atur`: `formulir` per chosen form, `wajib` to hold certificates
/// until they are sent.
async fn choose(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Path(id): Path<i32>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let back = format!("/diklat/{id}/evaluasi");
    let chosen: Vec<String> = fields.iter().filter(|(k, _)| k == "formulir").map(|(_, v)| v.clone()).collect();
    let required = fields.iter().any(|(k, _)| k == "wajib");
    let forms = &state.app.content.forms;
    let r = evaluation::save_settings(state.app.db.write(), &caller, &scopes, id, &chosen, required, forms).await;
    if r.is_ok() {
        state.app.reports_changed();
    }
    reply.finish(r, |()| Text::new("Pilihan evaluasi tersimpan.", "Evaluation settings saved."), &back).await
}

/// `/unduh/evaluasi/evaluasi-{id}.csv|xlsx`: the figures of the report (no open answers, no
/// group smaller than the minimum).
async fn export(
    State(state): State<ServerState>,
    Manager { scopes, .. }: Manager,
    Path(file): Path<String>,
) -> Response {
    let Some((id, ext)) = super::split_file(&file, "evaluasi") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = state.app.db.read();
    let forms = &state.app.content.forms;
    let rows =
        match evaluation::report(db, &scopes, id, forms, state.app.evaluation_min_group, chrono::Utc::now()).await {
            Ok((d, report)) => super::scoped(db, &d, Ok(report.export_rows())).await,
            Err(e) => Err::<_, AppError>(e),
        };
    let table =
        super::Table { columns: evaluation::EXPORT_COLUMNS, labels: evaluation::EXPORT_LABELS, sheet: "Evaluasi" };
    super::export_response(rows, &table, "Evaluasi diklat", &file, ext)
}
