//! Form posts for scheduling (a diklat, its sessions, who is enrolled) and the calendar feeds:
//! every state change is a POST that works without JavaScript, ends in a redirect with a flash
//! message, and calls one service.

use super::extract::{Manager, Reply};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Form, Router,
};
use domain::{services::schedule, AppError};
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/diklat/simpan", post(save_diklat))
        .route("/sesi/simpan", post(save_session))
        .route("/sesi/hapus", post(delete_session))
        .route("/diklat/daftarkan", post(enrol_bulk))
        .route("/diklat/daftarkan-satu", post(enrol_one))
        .route("/diklat/keluarkan", post(withdraw))
        .route("/kalender/diklat/{file}", get(diklat_feed))
        .route("/kalender/peserta/{file}", get(person_feed))
}

fn opt_id(v: &Option<String>) -> Option<i32> {
    v.as_deref().and_then(|s| s.trim().parse().ok())
}

#[derive(serde::Deserialize)]
struct DiklatForm {
    id: Option<String>,
    kode: String,
    nama: String,
    #[serde(default)]
    deskripsi: String,
    tempat: String,
    mulai: String,
    selesai: String,
    jp: String,
    status: String,
    min_hadir: String,
    hadir_h: Option<String>,
    hadir_t: Option<String>,
    hadir_i: Option<String>,
    hadir_s: Option<String>,
    hadir_a: Option<String>,
    /// The last day post-tests count; empty: the last day + 14.
    #[serde(default)]
    tutup_tes: String,
    /// `modul_{id}` checkboxes: the modules the rule requires (none ticked: those of the sessions).
    #[serde(flatten)]
    other: std::collections::HashMap<String, String>,
}

impl DiklatForm {
    /// The form as posted, to fill it in again when it is refused.
    fn values(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = [
            ("kode", &self.kode),
            ("nama", &self.nama),
            ("deskripsi", &self.deskripsi),
            ("tempat", &self.tempat),
            ("mulai", &self.mulai),
            ("selesai", &self.selesai),
            ("jp", &self.jp),
            ("status", &self.status),
            ("min_hadir", &self.min_hadir),
            ("tutup_tes", &self.tutup_tes),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
        for (k, on) in [
            ("hadir_h", &self.hadir_h),
            ("hadir_t", &self.hadir_t),
            ("hadir_i", &self.hadir_i),
            ("hadir_s", &self.hadir_s),
            ("hadir_a", &self.hadir_a),
        ] {
            if on.is_some() {
                v.push((k.to_string(), "on".to_string()));
            }
        }
        let mut modules: Vec<_> = self.other.keys().filter(|k| k.starts_with("modul_")).cloned().collect();
        modules.sort();
        v.extend(modules.into_iter().map(|k| (k, "on".to_string())));
        v
    }
}

async fn save_diklat(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<DiklatForm>,
) -> Response {
    let id = opt_id(&f.id);
    let back = id.map_or("/diklat".to_string(), |id| format!("/diklat/{id}"));
    let echo = ("diklat", "form-diklat", f.values());
    // `hadir_h` … `hadir_a`: one checkbox per mark, in the marks' order.
    let ticked = [&f.hadir_h, &f.hadir_t, &f.hadir_i, &f.hadir_s, &f.hadir_a];
    let present = types::Attendance::ALL
        .into_iter()
        .zip(ticked)
        .filter(|(_, v)| v.is_some())
        .map(|(a, _)| a.code().into())
        .collect();
    let input = schedule::DiklatInput {
        code: f.kode,
        name: f.nama,
        description: f.deskripsi,
        venue: f.tempat,
        starts_on: f.mulai,
        ends_on: f.selesai,
        total_jp: f.jp,
        status: f.status,
        min_attendance_pct: f.min_hadir,
        present_statuses: present,
        tests_close_on: f.tutup_tes,
        modules: {
            let mut ids: Vec<i32> =
                f.other.keys().filter_map(|k| k.strip_prefix("modul_")).filter_map(|id| id.parse().ok()).collect();
            ids.sort_unstable();
            ids
        },
        attendance_floor: state.app.attendance_floor,
    };
    let db = state.app.db.write();
    match id {
        None => match schedule::create_diklat(db, &caller, &scopes, &input).await {
            Ok(new) => {
                reply
                    .to(
                        &format!("/diklat/{new}"),
                        Flash::ok(Text::new(
                            "Diklat dibuat. Tambahkan sesi dan peserta.",
                            "Training created. Add its sessions and participants.",
                        )),
                    )
                    .await
            }
            Err(e) => reply.finish_form(Err::<(), _>(e), |_| Text::default(), &back, echo).await,
        },
        Some(id) => {
            let r = schedule::update_diklat(db, &caller, &scopes, id, &input).await;
            reply.finish_form(r, |_| Text::new("Diklat tersimpan.", "Training saved."), &back, echo).await
        }
    }
}

#[derive(serde::Deserialize)]
struct SessionForm {
    diklat: i32,
    id: Option<String>,
    tanggal: String,
    mulai: String,
    selesai: String,
    judul: String,
    ruang: String,
    #[serde(default)]
    modul: String,
    #[serde(default)]
    narasumber: String,
    #[serde(default)]
    instansi: String,
    jp: String,
}

async fn save_session(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<SessionForm>,
) -> Response {
    let back = format!("/diklat/{}#sesi", f.diklat);
    let id = opt_id(&f.id);
    let form = id.map_or("sesi-baru".to_string(), |id| format!("sesi-{id}"));
    let anchor = format!("form-{form}");
    let values = [
        ("tanggal", &f.tanggal),
        ("mulai", &f.mulai),
        ("selesai", &f.selesai),
        ("judul", &f.judul),
        ("ruang", &f.ruang),
        ("modul", &f.modul),
        ("narasumber", &f.narasumber),
        ("instansi", &f.instansi),
        ("jp", &f.jp),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    let input = schedule::SessionInput {
        date: f.tanggal,
        starts: f.mulai,
        ends: f.selesai,
        title: f.judul,
        room: f.ruang,
        module: f.modul,
        speaker_name: f.narasumber,
        speaker_institution: f.instansi,
        jp: f.jp,
    };
    let r = schedule::save_session(state.app.db.write(), &caller, &scopes, f.diklat, id, &input).await;
    let message = if id.is_some() {
        Text::new("Sesi tersimpan.", "Session saved.")
    } else {
        Text::new("Sesi ditambahkan.", "Session added.")
    };
    reply.finish_form(r, |_| message, &back, (&form, &anchor, values)).await
}

#[derive(serde::Deserialize)]
struct DeleteSessionForm {
    id: i32,
    diklat: i32,
    yakin: Option<String>,
}

async fn delete_session(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<DeleteSessionForm>,
) -> Response {
    let back = format!("/diklat/{}#sesi", f.diklat);
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang konfirmasi untuk menghapus sesi.",
                    "Tick the confirmation to delete the session.",
                )),
            )
            .await;
    }
    let r = schedule::delete_session(state.app.db.write(), &caller, &scopes, f.id).await;
    reply.finish(r, |_| Text::new("Sesi dihapus.", "Session deleted."), &back).await
}

#[derive(serde::Deserialize)]
struct BulkForm {
    diklat: i32,
    kecamatan: Option<String>,
    kelurahan: Option<String>,
    jabatan: Option<String>,
}

async fn enrol_bulk(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<BulkForm>,
) -> Response {
    let back = format!("/diklat/{}#form-daftarkan", f.diklat);
    let choices: Vec<(String, String)> =
        [("kecamatan", &f.kecamatan), ("kelurahan", &f.kelurahan), ("jabatan", &f.jabatan)]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
            .collect();
    let filter = schedule::BulkFilter {
        district_id: opt_id(&f.kecamatan),
        village_id: opt_id(&f.kelurahan),
        position: f.jabatan.filter(|j| !j.trim().is_empty()),
    };
    let r = schedule::enrol_bulk(state.app.db.write(), &caller, &scopes, f.diklat, &filter).await;
    // The result is shown at the form, where the page opens (it was above the viewport).
    let message = match r {
        Ok(n) => Flash::ok(Text::new(
            format!("{n} peserta didaftarkan (yang sudah terdaftar dilewati)."),
            format!("{n} participants enrolled (those already enrolled were skipped)."),
        )),
        Err(AppError::Invalid { message, .. } | AppError::Conflict { message, .. }) => Flash::error(message),
        Err(e) => return reply.finish(Err::<(), _>(e), |_| Text::default(), &back).await,
    };
    reply.to(&back, message.at_form("daftarkan", choices)).await
}

#[derive(serde::Deserialize)]
struct EnrolOneForm {
    diklat: i32,
    /// NIK or phone number.
    orang: String,
}

async fn enrol_one(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<EnrolOneForm>,
) -> Response {
    let back = format!("/diklat/{}/peserta", f.diklat);
    let db = state.app.db.write();
    let r = match schedule::find_person(db, &scopes, &f.orang).await {
        Ok(person) => schedule::enrol_one(db, &caller, &scopes, f.diklat, person.0).await.map(|_| person.1),
        Err(e) => Err(e),
    };
    reply.finish(r, |name| Text::new(format!("{name} didaftarkan."), format!("{name} enrolled.")), &back).await
}

#[derive(serde::Deserialize)]
struct WithdrawForm {
    diklat: i32,
    orang: i32,
    yakin: Option<String>,
}

async fn withdraw(
    State(state): State<ServerState>,
    Manager { caller, scopes }: Manager,
    reply: Reply,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let back = format!("/diklat/{}/peserta", f.diklat);
    if f.yakin.is_none() {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Centang konfirmasi untuk mengeluarkan peserta.",
                    "Tick the confirmation to remove the participant.",
                )),
            )
            .await;
    }
    let r = schedule::withdraw(state.app.db.write(), &caller, &scopes, f.diklat, f.orang).await;
    reply
        .finish(
            r,
            |_| {
                Text::new(
                    "Peserta dikeluarkan dari diklat; catatan presensinya tetap tersimpan.",
                    "Participant removed from the training; their attendance records are kept.",
                )
            },
            &back,
        )
        .await
}

fn ics_response(body: String, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, super::content_disposition(file).replacen("attachment", "inline", 1)),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        body,
    )
        .into_response()
}

fn host_of(state: &ServerState) -> String {
    state.public_url.split("://").nth(1).unwrap_or("diklat-kkmp").split('/').next().unwrap_or("diklat-kkmp").to_string()
}

/// A diklat's whole schedule (public: it holds no personal data).
async fn diklat_feed(State(state): State<ServerState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".ics").and_then(|i| i.parse::<i32>().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let db = state.app.db.read();
    let Ok(Some(d)) = <domain::entities::diklat::Entity as sea_orm::EntityTrait>::find_by_id(id).one(db).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match schedule::sessions_of(db, id).await {
        Ok(rows) => ics_response(domain::ics::calendar(&d.name, &host_of(&state), &rows, chrono::Utc::now()), &file),
        Err(e) => e.into_response(),
    }
}

/// One peserta's sessions; the address carries a keyed token instead of a sign-in.
async fn person_feed(State(state): State<ServerState>, Path(file): Path<String>) -> Response {
    let parsed = file
        .strip_suffix(".ics")
        .and_then(|s| s.split_once('-'))
        .and_then(|(id, token)| Some((id.parse::<i32>().ok()?, token)));
    let Some((person_id, token)) = parsed else { return StatusCode::NOT_FOUND.into_response() };
    let expected = schedule::feed_token(&state.app.data_key, person_id);
    if !domain::secret::same(expected.as_bytes(), token.as_bytes()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match schedule::sessions_for_person(state.app.db.read(), person_id).await {
        Ok(rows) => ics_response(
            domain::ics::calendar("Jadwal Diklat KKMP", &host_of(&state), &rows, chrono::Utc::now()),
            "jadwal.ics",
        ),
        Err(e) => e.into_response(),
    }
}
