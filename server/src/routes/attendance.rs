//! Form posts and downloads for attendance: the panitia's grid, self check-in with a code,
//! marks imported from a file, and the attendance exports.

use super::extract::{Denied, Manager, Reply, Visitor};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};
use domain::{
    services::{
        attendance::{self, Mark, Status},
        schedule,
    },
    AppError,
};
use std::collections::HashMap;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/presensi/simpan", post(save_grid))
        .route("/presensi/semua-hadir", post(rest_present))
        .route("/presensi/buka", post(open_checkin))
        .route("/presensi/tutup", post(close_checkin))
        .route("/presensi/hadir", post(check_in))
        .route("/presensi/impor", post(import_marks))
        .route("/unduh/sesi/{file}", get(session_export))
        .route("/unduh/diklat/{file}", get(diklat_export))
}

fn opt_id(v: &Option<String>) -> Option<i32> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

/// The grid posts one set of fields per row: `s{id}` status, `c{id}` note, `r{id}` reason,
/// `v{id}` the version shown, `o{id}` the status/note/reason shown (rows left as shown are skipped).
async fn save_grid(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some(session_id) = f.get("sesi").and_then(|s| s.parse::<i32>().ok()) else {
        return (StatusCode::BAD_REQUEST, "Sesi tidak disebut").into_response();
    };
    let back = grid_url(session_id, f.get("kelurahan"));
    let mut marks = Vec::new();
    for (key, status) in &f {
        let Some(person_id) = key.strip_prefix('s').and_then(|id| id.parse::<i32>().ok()) else { continue };
        let note = f.get(&format!("c{person_id}")).cloned().unwrap_or_default();
        let reason = f.get(&format!("r{person_id}")).cloned().unwrap_or_default();
        let shown = f.get(&format!("o{person_id}")).cloned().unwrap_or_default();
        if format!("{status}|{}|{}", note.trim(), reason.trim()) == shown || status.is_empty() {
            continue;
        }
        let Some(status) = Status::parse(status) else {
            return reply
                .to(
                    &back,
                    Flash::error(Text::new(
                        format!("Status \"{status}\" tidak dikenal."),
                        format!("Unknown status \"{status}\"."),
                    )),
                )
                .await;
        };
        let seen = f.get(&format!("v{person_id}")).map(|v| v.parse::<i32>().ok());
        marks.push(Mark { person_id, status, note: Some(note), reason: Some(reason), seen_version: seen });
    }
    if marks.is_empty() {
        return reply.to(&back, Flash::ok(Text::new("Tidak ada perubahan.", "Nothing changed."))).await;
    }
    let r =
        attendance::save_marks(state.app.db.write(), &caller, &scopes, session_id, marks, attendance::Source::Panitia)
            .await;
    reply.finish(r,
        |g| {
            let mut m = Text::new(
                format!("{} presensi tersimpan.", g.saved),
                format!("{} attendance marks saved.", g.saved),
            );
            if !g.conflicts.is_empty() {
                m.id.push_str(&format!(
                    " {} baris tidak disimpan karena sudah diubah orang lain sejak halaman dibuka: {}. Periksa lalu simpan lagi.",
                    g.conflicts.len(),
                    g.conflicts.join(", ")
                ));
                m.en.push_str(&format!(
                    " {} rows were not saved because someone else changed them after the page was opened: {}. Check them and save again.",
                    g.conflicts.len(),
                    g.conflicts.join(", ")
                ));
            }
            m
        },
        &back,
    )
    .await
}

fn grid_url(session_id: i32, village: Option<&String>) -> String {
    match village.and_then(|v| v.parse::<i32>().ok()) {
        Some(v) => format!("/sesi/{session_id}?kelurahan={v}"),
        None => format!("/sesi/{session_id}"),
    }
}

#[derive(serde::Deserialize)]
struct SessionRef {
    sesi: i32,
    kelurahan: Option<String>,
    menit: Option<String>,
    terlambat: Option<String>,
}

async fn rest_present(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = grid_url(f.sesi, f.kelurahan.as_ref());
    let village = opt_id(&f.kelurahan);
    let r = attendance::mark_rest_present(state.app.db.write(), &caller, &scopes, f.sesi, village).await;
    reply
        .finish(
            r,
            |n| {
                Text::new(
                    format!("{n} peserta yang belum ditandai kini Hadir. Ubah yang berhalangan."),
                    format!("{n} unmarked participants are now Present. Change those who were absent."),
                )
            },
            &back,
        )
        .await
}

async fn open_checkin(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = format!("/sesi/{}", f.sesi);
    let settings = attendance::OpenCheckin {
        minutes_open: f.menit.as_deref().and_then(|m| m.trim().parse().ok()).unwrap_or(60),
        late_after_minutes: f.terlambat.as_deref().and_then(|m| m.trim().parse().ok()).unwrap_or(15),
    };
    let r =
        attendance::open_checkin(state.app.db.write(), &caller, &scopes, f.sesi, settings, chrono::Utc::now()).await;
    match r {
        // The projector page shows that check-in is open; a flash there would never be taken
        // and would surface later on an unrelated page.
        Ok(_) => Redirect::to(&format!("/sesi/{}/kode", f.sesi)).into_response(),
        Err(e) => reply.finish(Err::<(), _>(e), |_| Text::default(), &back).await,
    }
}

async fn close_checkin(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = format!("/sesi/{}", f.sesi);
    let r = attendance::close_checkin(state.app.db.write(), &caller, &scopes, f.sesi, chrono::Utc::now()).await;
    reply.finish(r, |_| Text::new("Presensi mandiri ditutup.", "Self check-in closed."), &back).await
}

#[derive(serde::Deserialize)]
struct CheckinForm {
    kode: String,
    sesi: Option<String>,
}

async fn check_in(
    State(state): State<ServerState>,
    Visitor(caller): Visitor,
    reply: Reply,
    Form(f): Form<CheckinForm>,
) -> Response {
    // The QR link's page is open to anyone: sign-in comes back to it with the code kept.
    let Some(caller) = caller else {
        let back = match opt_id(&f.sesi) {
            Some(s) => format!("/presensi?sesi={s}&kode={}", app::i18n::encode_component(&f.kode)),
            None => "/presensi".to_string(),
        };
        return Denied::SignIn(back).into_response();
    };
    let now = chrono::Utc::now();
    let db = state.app.db.write();
    // Counted before the code is checked (in the database, so it holds across instances and
    // under a burst): wrong codes per account are limited by `throttle::CHECK_IN`.
    let key = format!("presensi:{}", caller.account_id);
    let attempt = match domain::auth::throttle::begin(db, &key, domain::auth::throttle::CHECK_IN, now).await {
        Ok(Ok(attempt)) => attempt,
        Ok(Err(refused)) => {
            let message = Text::new(
                format!(
                    "Terlalu banyak kode salah. Tunggu {} menit atau minta panitia mencatat kehadiran Anda.",
                    refused.minutes()
                ),
                format!(
                    "Too many wrong codes. Wait {} minutes or ask the organisers to record your attendance.",
                    refused.minutes()
                ),
            );
            return reply.to("/presensi", Flash::error(message)).await;
        }
        Err(e) => {
            tracing::error!("check-in limit: {e:?}");
            return reply.to("/presensi", Flash::error(e.public_text())).await;
        }
    };
    let r = attendance::check_in(
        db,
        &state.app.data_key,
        caller.person_id,
        caller.account_id,
        opt_id(&f.sesi),
        &f.kode,
        now,
    )
    .await;
    let settled = match &r {
        Err(e) if e.status() < 500 && !matches!(e, AppError::Forbidden) => attempt.failed(db, now).await.map(|_| ()),
        _ => attempt.succeeded(db, now, false).await,
    };
    if let Err(e) = settled {
        tracing::error!("settling a check-in attempt: {e:?}");
    }
    // A refused code goes back into the field, as typed, with the session the QR named.
    let again = match opt_id(&f.sesi) {
        Some(s) => format!("/presensi?sesi={s}&kode={}", app::i18n::encode_component(&f.kode)),
        None => format!("/presensi?kode={}", app::i18n::encode_component(&f.kode)),
    };
    let back = if r.is_ok() { "/presensi".to_string() } else { again };
    let message = match r {
        Ok(attendance::CheckedIn::Recorded { status, session: title }) => Flash::ok(Text::new(
            format!("Tercatat {} pada sesi \"{title}\". Terima kasih!", status.label()),
            format!("Recorded as {} for the session \"{title}\". Thank you!", status.labels().1),
        )),
        Ok(attendance::CheckedIn::Already { status, session: title }) => Flash::ok(Text::new(
            format!("Anda sudah tercatat {} pada sesi \"{title}\".", status.label()),
            format!("You are already recorded as {} for the session \"{title}\".", status.labels().1),
        )),
        Err(AppError::Forbidden) => Flash::error(Text::new(
            "Anda tidak terdaftar pada diklat sesi ini. Hubungi panitia.",
            "You are not enrolled in this session's training. Contact the organisers.",
        )),
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!("check-in: {e:?}");
            }
            Flash::error(e.public_text())
        }
    };
    reply.to(&back, message).await
}

async fn import_marks(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    mut multipart: Multipart,
) -> Response {
    let mut session_id = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("sesi") => session_id = field.text().await.ok().and_then(|t| t.trim().parse::<i32>().ok()),
            Some("berkas") => {
                let name = field.file_name().unwrap_or("presensi.csv").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "Berkas terlalu besar").into_response(),
                }
            }
            _ => {}
        }
    }
    let Some(session_id) = session_id else { return (StatusCode::BAD_REQUEST, "Sesi tidak disebut").into_response() };
    let back = format!("/sesi/{session_id}");
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Pilih berkas CSV presensi terlebih dahulu.",
                    "Choose an attendance CSV file first.",
                )),
            )
            .await;
    };
    let r = attendance::import_marks(state.app.db.write(), &caller, &scopes, session_id, &name, &bytes).await;
    reply
        .finish(
            r,
            |g| {
                Text::new(
                    format!("{}: {} presensi tersimpan, {} tidak berubah.", name, g.saved, g.unchanged),
                    format!("{}: {} attendance marks saved, {} unchanged.", name, g.saved, g.unchanged),
                )
            },
            &back,
        )
        .await
}

/// `/unduh/sesi/presensi-sesi-{id}.csv|xlsx`: one session's marks.
async fn session_export(
    State(state): State<ServerState>,
    Manager { scopes, .. }: Manager,
    Path(file): Path<String>,
) -> Response {
    let Some((id, ext)) = super::split_file(&file, "presensi-sesi") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = state.app.db.read();
    let (rows, title) = match attendance::managed_session(db, &scopes, id).await {
        Ok((s, d)) => (
            super::scoped(db, &d, attendance::session_report(db, s.id, d.id).await).await,
            format!(
                "Presensi sesi: {} ({}, {}–{} WIB)",
                s.title,
                s.session_date.format("%d-%m-%Y"),
                s.starts_at.format("%H:%M"),
                s.ends_at.format("%H:%M")
            ),
        ),
        Err(e) => (Err(e), String::new()),
    };
    let headers = attendance::SESSION_REPORT_HEADERS;
    super::export_response(
        rows,
        &super::Table { columns: headers, labels: headers, sheet: "Presensi" },
        &title,
        &file,
        ext,
    )
}

/// `/unduh/diklat/kehadiran-diklat-{id}.csv|xlsx`: attendance rate per person.
async fn diklat_export(
    State(state): State<ServerState>,
    Manager { scopes, .. }: Manager,
    Path(file): Path<String>,
) -> Response {
    let Some((id, ext)) = super::split_file(&file, "kehadiran-diklat") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = state.app.db.read();
    let rows = match schedule::managed(db, &scopes, id).await {
        Ok(d) => super::scoped(db, &d, attendance::diklat_report(db, &d, chrono::Utc::now()).await).await,
        Err(e) => Err(e),
    };
    let headers = attendance::DIKLAT_REPORT_HEADERS;
    let table = super::Table { columns: headers, labels: headers, sheet: "Kehadiran" };
    super::export_response(rows, &table, "Kehadiran peserta per diklat", &file, ext)
}
