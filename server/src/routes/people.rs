//! Participant import: a multipart upload (works without JavaScript), checked row by row and
//! written all or nothing; the report is shown once on `/peserta/impor`.

use crate::startup::ServerState;
use app::api::{Flash, ImportReportView};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Router,
};
use domain::{
    auth::{Caller, Role},
    services::import,
};
use tower_sessions::Session;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/unggah/peserta", post(upload).layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)))
        .route("/peserta/impor/contoh.csv", get(template))
        .route("/peserta/tambah", post(create))
        .route("/peserta/ubah", post(edit))
        .route("/peserta/ekspor.csv", get(export_csv))
        .route("/peserta/status", post(set_status))
}

fn management_scopes(caller: &Caller) -> Vec<domain::auth::Scope> {
    caller.management_scopes()
}

/// The caller when they are panitia or admin.
fn manager(caller: Option<Extension<Caller>>, back: &str) -> Result<Caller, super::Denied> {
    super::require(caller, &[Role::Panitia, Role::Admin], back, "Anda tidak berhak mengelola data peserta")
}

async fn after(session: &Session, result: Result<(), domain::AppError>, ok: Text, back: &str) -> Response {
    super::finish(session, result, |()| ok, back, "Peserta tidak ditemukan").await
}

#[derive(serde::Deserialize)]
struct EditForm {
    id: i32,
    nama: String,
    nik: String,
    no_hp: String,
    email: String,
    jabatan: String,
}

async fn edit(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(form): Form<EditForm>,
) -> Response {
    let back = format!("/peserta/{}", form.id);
    let caller = match manager(caller, &back) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let changes = domain::services::people::PersonChanges {
        full_name: form.nama,
        nik: form.nik,
        phone: form.no_hp,
        email: form.email,
        position: form.jabatan,
    };
    let result = domain::services::people::update(state.app.db.write(), &caller, form.id, changes).await;
    state.app.auth_changed();
    after(&session, result, Text::new("Data peserta tersimpan.", "Participant data saved."), &back).await
}

#[derive(serde::Deserialize)]
struct StatusForm {
    id: i32,
    /// "nonaktif" or "aktif"
    jadi: String,
    /// The confirmation checkbox, required to deactivate.
    yakin: Option<String>,
}

async fn set_status(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(form): Form<StatusForm>,
) -> Response {
    let back = format!("/peserta/{}", form.id);
    let caller = match manager(caller, &back) {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let activate = form.jadi == "aktif";
    if !activate && form.yakin.is_none() {
        let _ = session
            .insert(
                Flash::KEY,
                Flash::error(Text::new(
                    "Centang konfirmasi untuk menonaktifkan akun ini.",
                    "Tick the confirmation to deactivate this account.",
                )),
            )
            .await;
        return Redirect::to(&back).into_response();
    }
    let result = domain::services::people::set_active(state.app.db.write(), &caller, form.id, activate).await;
    state.app.auth_changed();
    after(
        &session,
        result,
        if activate {
            Text::new("Akun diaktifkan kembali.", "Account reactivated.")
        } else {
            Text::new(
                "Akun dinonaktifkan. Riwayat presensi dan sertifikatnya tetap tersimpan.",
                "Account deactivated. Its attendance history and certificates are kept.",
            )
        },
        &back,
    )
    .await
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

/// A report with a single problem about the file itself.
fn file_problem(message: Text) -> import::ImportReport {
    import::ImportReport {
        rows: 0,
        imported: 0,
        errors: vec![import::RowError { line: 0, field: "berkas".into(), message: message.id, message_en: message.en }],
    }
}

async fn report(session: &Session, file_name: String, r: import::ImportReport) -> Response {
    let view = ImportReportView {
        file_name,
        rows: r.rows,
        imported: r.imported,
        error_count: r.errors.len(),
        errors_en: r.errors.iter().take(ImportReportView::SHOWN).map(|e| e.message_en.clone()).collect(),
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
    let caller = match manager(caller, "/peserta/impor") {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("berkas") => {
                let name = field.file_name().unwrap_or("berkas").to_string();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(_) => {
                        let r = file_problem(Text::new(
                            format!("Berkas terlalu besar (maksimal {} MB)", import::MAX_BYTES / 1024 / 1024),
                            format!("The file is too large (at most {} MB)", import::MAX_BYTES / 1024 / 1024),
                        ));
                        return report(&session, name, r).await;
                    }
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                let r = file_problem(Text::new(format!("Unggahan gagal: {e}"), format!("The upload failed: {e}")));
                return report(&session, String::new(), r).await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let r = file_problem(Text::new("Pilih berkas CSV atau XLSX", "Choose a CSV or XLSX file"));
        return report(&session, String::new(), r).await;
    };
    let parse_name = name.clone();
    let table = tokio::task::spawn_blocking(move || import::read_table(&bytes, &parse_name)).await;
    let result = match table {
        Ok(Ok(table)) => import::import_people(state.app.db.write(), &caller, &management_scopes(&caller), table).await,
        Ok(Err(row_error)) => Ok(import::ImportReport { rows: 0, imported: 0, errors: vec![row_error] }),
        Err(e) => Err(domain::AppError::Internal(format!("reading an upload: {e}"))),
    };
    match result {
        Ok(r) => report(&session, name, r).await,
        Err(e) => {
            tracing::error!("import failed: {e:?}");
            let r = file_problem(e.public_text());
            report(&session, name, r).await
        }
    }
}

#[derive(serde::Deserialize)]
struct ExportQuery {
    q: Option<String>,
    kecamatan: Option<String>,
}

/// The filtered participant list as CSV (UTF-8 with BOM for Excel), NIK masked, every cell
/// guarded against formula injection.
async fn export_csv(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
) -> Response {
    use domain::services::{export::csv_line, people};
    let caller = match manager(caller, "/peserta") {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let scopes = management_scopes(&caller);
    let mut body = String::from("\u{feff}");
    body.push_str(&csv_line([
        "nama",
        "nik",
        "no_hp",
        "email",
        "jabatan",
        "kelurahan",
        "kecamatan",
        "koperasi",
        "status_akun",
    ]));
    let mut page = 1;
    loop {
        let q = people::PeopleQuery {
            q: query.q.clone().filter(|q| !q.trim().is_empty()),
            district_id: query.kecamatan.as_deref().and_then(|k| k.parse().ok()),
            village_id: None,
            page,
            per_page: 200,
        };
        let found = match people::list(state.app.db.read(), &scopes, &q).await {
            Ok(f) => f,
            Err(e) => {
                tracing::error!("exporting people: {e:?}");
                return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.public_message()).into_response();
            }
        };
        for r in &found.rows {
            let nik = r.nik.as_deref().map(domain::auth::ids::mask_nik).unwrap_or_default();
            let phone = r.phone.as_deref().map(domain::auth::ids::local_phone).unwrap_or_default();
            let status = if !r.is_active {
                "nonaktif"
            } else if r.has_password {
                "aktif"
            } else {
                "belum aktivasi"
            };
            body.push_str(&csv_line([
                r.full_name.as_str(),
                nik.as_str(),
                phone.as_str(),
                r.email.as_deref().unwrap_or(""),
                r.position.as_deref().unwrap_or(""),
                r.village.as_str(),
                r.district.as_str(),
                r.cooperative.as_str(),
                status,
            ]));
        }
        if found.rows.len() < 200 {
            break;
        }
        page += 1;
    }
    let _ = domain::services::audit::record(
        state.app.db.write(),
        Some(caller.account_id),
        "people.export",
        "people",
        None,
        None,
    )
    .await;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"peserta.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct CreateForm {
    nama: String,
    nik: String,
    no_hp: String,
    email: String,
    kelurahan: String,
    kecamatan: String,
    jabatan: String,
}

/// Adds one participant: the same checks as a one-row import (so the rules live in one place).
async fn create(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(form): Form<CreateForm>,
) -> Response {
    let caller = match manager(caller, "/peserta/baru") {
        Ok(c) => c,
        Err(denied) => return denied.into_response(),
    };
    let header = ["nama", "nik", "no_hp", "email", "kelurahan", "kecamatan", "jabatan"].map(String::from).to_vec();
    let row = [&form.nama, &form.nik, &form.no_hp, &form.email, &form.kelurahan, &form.kecamatan, &form.jabatan]
        .map(|v| v.trim().to_string())
        .to_vec();
    let result =
        import::import_people(state.app.db.write(), &caller, &management_scopes(&caller), vec![(1, header), (2, row)])
            .await;
    match result {
        Ok(r) if r.errors.is_empty() => {
            let _ = session
                .insert(
                    Flash::KEY,
                    Flash::ok(Text::new(
                        format!("{} ditambahkan.", form.nama.trim()),
                        format!("{} added.", form.nama.trim()),
                    )),
                )
                .await;
            let nik: String = form.nik.chars().filter(char::is_ascii_digit).collect();
            Redirect::to(&format!("/peserta?q={nik}")).into_response()
        }
        Ok(r) => {
            let id = r.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" · ");
            let en = r.errors.iter().map(|e| format!("{}: {}", e.field, e.message_en)).collect::<Vec<_>>().join(" · ");
            let _ = session.insert(Flash::KEY, Flash::error(Text::new(id, en))).await;
            Redirect::to("/peserta/baru").into_response()
        }
        Err(e) => {
            tracing::error!("adding a participant: {e:?}");
            let _ = session.insert(Flash::KEY, Flash::error(e.public_text())).await;
            Redirect::to("/peserta/baru").into_response()
        }
    }
}
