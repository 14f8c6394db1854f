//! Participant import: a multipart upload (works without JavaScript), checked row by row and
//! written all or nothing; the report is shown once on `/peserta/impor`.

use super::extract::{Manager, Reply};
use crate::startup::ServerState;
use app::api::{Flash, ImportReportView};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};
use domain::services::import;
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
    Manager { caller, .. }: Manager,
    reply: Reply,
    Form(form): Form<EditForm>,
) -> Response {
    let back = format!("/peserta/{}", form.id);
    let changes = domain::services::people::PersonChanges {
        full_name: form.nama,
        nik: form.nik,
        phone: form.no_hp,
        email: form.email,
        position: form.jabatan,
    };
    let result = domain::services::people::update(state.app.db.write(), &caller, form.id, changes).await;
    state.app.auth_changed();
    reply.finish(result, |()| Text::new("Data peserta tersimpan.", "Participant data saved."), &back).await
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
    Manager { caller, .. }: Manager,
    reply: Reply,
    Form(form): Form<StatusForm>,
) -> Response {
    let back = format!("/peserta/{}", form.id);
    let activate = form.jadi == "aktif";
    if !activate && form.yakin.is_none() {
        let refused = Text::new(
            "Centang konfirmasi untuk menonaktifkan akun ini.",
            "Tick the confirmation to deactivate this account.",
        );
        return reply.to(&back, Flash::error(refused)).await;
    }
    let result = domain::services::people::set_active(state.app.db.write(), &caller, form.id, activate).await;
    state.app.auth_changed();
    reply
        .finish(
            result,
            |()| {
                if activate {
                    Text::new("Akun diaktifkan kembali.", "Account reactivated.")
                } else {
                    Text::new(
                        "Akun dinonaktifkan. Riwayat presensi dan sertifikatnya tetap tersimpan.",
                        "Account deactivated. Its attendance history and certificates are kept.",
                    )
                }
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
    Manager { caller, scopes }: Manager,
    session: Session,
    mut form: Multipart,
) -> Response {
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
        Ok(Ok(table)) => import::import_people(state.app.db.write(), &caller, &scopes, table).await,
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
    Manager { caller, scopes }: Manager,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
) -> Response {
    use domain::services::{export::csv_line, people};
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
            Err(e) => return e.into_response(),
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
                r.position.map(|j| j.code()).unwrap_or(""),
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
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(form): Form<CreateForm>,
) -> Response {
    let header = ["nama", "nik", "no_hp", "email", "kelurahan", "kecamatan", "jabatan"].map(String::from).to_vec();
    let row = [&form.nama, &form.nik, &form.no_hp, &form.email, &form.kelurahan, &form.kecamatan, &form.jabatan]
        .map(|v| v.trim().to_string())
        .to_vec();
    let result = import::import_people(state.app.db.write(), &caller, &scopes, vec![(1, header), (2, row)]).await;
    match result {
        Ok(r) if r.errors.is_empty() => {
            let added = Text::new(format!("{} ditambahkan.", form.nama.trim()), format!("{} added.", form.nama.trim()));
            let nik: String = form.nik.chars().filter(char::is_ascii_digit).collect();
            reply.to(&format!("/peserta?q={nik}"), Flash::ok(added)).await
        }
        Ok(r) => {
            let id = r.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join(" · ");
            let en = r.errors.iter().map(|e| format!("{}: {}", e.field, e.message_en)).collect::<Vec<_>>().join(" · ");
            reply.to("/peserta/baru", Flash::error(Text::new(id, en))).await
        }
        Err(e) => {
            tracing::error!("adding a participant: {e:?}");
            reply.to("/peserta/baru", Flash::error(e.public_text())).await
        }
    }
}
