//! Participant import: a multipart upload (works without JavaScript), checked row by row and
//! written all or nothing; the report is shown once on `/peserta/impor`.

use crate::startup::ServerState;
use app::api::ImportReportView;
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use domain::{
    auth::{Caller, Role},
    services::import,
};
use tower_sessions::Session;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/unggah/peserta", post(upload).layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)))
        .route("/peserta/impor/contoh.csv", get(template))
}

/// A template with the expected columns and one example row (semicolons, as Excel writes them
/// with Indonesian settings).
async fn template() -> Response {
    let body = "\u{feff}nama;nik;no_hp;email;kelurahan;kecamatan;jabatan\r\n\
                Siti Rahayu;3573014507800001;081234567890;;Kotalama;Kedungkandang;Ketua\r\n";
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"contoh-impor-peserta.csv\""),
        ],
        body,
    )
        .into_response()
}

async fn report(session: &Session, file_name: String, r: import::ImportReport) -> Response {
    let view = ImportReportView {
        file_name,
        rows: r.rows,
        imported: r.imported,
        error_count: r.errors.len(),
        errors: r.errors.into_iter().take(ImportReportView::SHOWN).map(|e| (e.line, e.field, e.message)).collect(),
    };
    if let Err(e) = session.insert(ImportReportView::KEY, view).await {
        tracing::error!("storing an import report: {e}");
    }
    Redirect::to("/peserta/impor#laporan").into_response()
}

async fn upload(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return Redirect::to("/masuk?ke=/peserta/impor").into_response();
    };
    if caller.require_any(&[Role::Panitia, Role::Admin]).is_err() {
        return (axum::http::StatusCode::FORBIDDEN, "Anda tidak berhak mengimpor peserta").into_response();
    }
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("berkas") => {
                let name = field.file_name().unwrap_or("berkas").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => {
                        let r = import::ImportReport {
                            rows: 0,
                            imported: 0,
                            errors: vec![import::RowError {
                                line: 0,
                                field: "berkas".into(),
                                message: format!(
                                    "Berkas terlalu besar (maksimal {} MB)",
                                    import::MAX_BYTES / 1024 / 1024
                                ),
                            }],
                        };
                        return report(&session, name, r).await;
                    }
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                let r = import::ImportReport {
                    rows: 0,
                    imported: 0,
                    errors: vec![import::RowError {
                        line: 0,
                        field: "berkas".into(),
                        message: format!("Unggahan gagal: {e}"),
                    }],
                };
                return report(&session, String::new(), r).await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let r = import::ImportReport {
            rows: 0,
            imported: 0,
            errors: vec![import::RowError {
                line: 0,
                field: "berkas".into(),
                message: "Pilih berkas CSV atau XLSX".into(),
            }],
        };
        return report(&session, String::new(), r).await;
    };
    let parse_name = name.clone();
    let table = tokio::task::spawn_blocking(move || import::read_table(&bytes, &parse_name)).await;
    let result = match table {
        Ok(Ok(table)) => {
            let mut scopes = caller.scopes(Role::Panitia);
            scopes.extend(caller.scopes(Role::Admin));
            import::import_people(state.app.db.write(), &caller, &scopes, table).await
        }
        Ok(Err(row_error)) => Ok(import::ImportReport { rows: 0, imported: 0, errors: vec![row_error] }),
        Err(e) => Err(domain::AppError::Internal(format!("reading an upload: {e}"))),
    };
    match result {
        Ok(r) => report(&session, name, r).await,
        Err(e) => {
            tracing::error!("import failed: {e:?}");
            let r = import::ImportReport {
                rows: 0,
                imported: 0,
                errors: vec![import::RowError { line: 0, field: "berkas".into(), message: e.public_message() }],
            };
            report(&session, name, r).await
        }
    }
}
