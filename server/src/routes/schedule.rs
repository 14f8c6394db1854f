//! Form posts and downloads for scheduling and attendance: every state change is a POST that
//! works without JavaScript, ends in a redirect with a flash message, and calls one service.

use super::{allowed, flash};
use crate::startup::ServerState;
use app::api::Flash;
use axum::{
    extract::{Multipart, Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Form, Router,
};
use domain::{
    auth::{Caller, Role, Scope},
    services::{
        attendance::{self, Mark, Status},
        schedule,
    },
    AppError,
};
use std::collections::HashMap;
use tower_sessions::Session;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/diklat/simpan", post(save_diklat))
        .route("/sesi/simpan", post(save_session))
        .route("/sesi/hapus", post(delete_session))
        .route("/diklat/daftarkan", post(enrol_bulk))
        .route("/diklat/daftarkan-satu", post(enrol_one))
        .route("/diklat/keluarkan", post(withdraw))
        .route("/presensi/simpan", post(save_grid))
        .route("/presensi/semua-hadir", post(rest_present))
        .route("/presensi/buka", post(open_checkin))
        .route("/presensi/tutup", post(close_checkin))
        .route("/presensi/hadir", post(check_in))
        .route("/presensi/impor", post(import_marks))
        .route("/kalender/diklat/{file}", get(diklat_feed))
        .route("/kalender/peserta/{file}", get(person_feed))
        .route("/unduh/sesi/{file}", get(session_export))
        .route("/unduh/diklat/{file}", get(diklat_export))
}

pub(super) fn manager(caller: Option<Extension<Caller>>, back: &str) -> Result<(Caller, Vec<Scope>), super::Denied> {
    let c = super::require(caller, &[Role::Panitia, Role::Admin], back, "Hanya panitia yang dapat mengatur diklat")?;
    let scopes = c.management_scopes();
    Ok((c, scopes))
}

/// Redirects to `back` with the outcome as a flash; a missing or foreign record is a plain 404.
async fn done<T>(session: &Session, result: Result<T, AppError>, ok: impl FnOnce(T) -> Text, back: &str) -> Response {
    super::finish(session, result, ok, back, "Tidak ditemukan").await
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
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<DiklatForm>,
) -> Response {
    let id = opt_id(&f.id);
    let back = id.map_or("/diklat".to_string(), |id| format!("/diklat/{id}"));
    let (caller, scopes) = allowed!(manager(caller, &back));
    let echo = ("diklat", "form-diklat", f.values());
    let present = [("H", &f.hadir_h), ("T", &f.hadir_t), ("I", &f.hadir_i), ("S", &f.hadir_s), ("A", &f.hadir_a)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(c, _)| c.to_string())
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
                flash(
                    &session,
                    Flash::ok(Text::new(
                        "Diklat dibuat. Tambahkan sesi dan peserta.",
                        "Training created. Add its sessions and participants.",
                    )),
                )
                .await;
                Redirect::to(&format!("/diklat/{new}")).into_response()
            }
            Err(e) => super::finish_form(&session, Err::<(), _>(e), |_| Text::default(), &back, echo).await,
        },
        Some(id) => {
            let r = schedule::update_diklat(db, &caller, &scopes, id, &input).await;
            super::finish_form(&session, r, |_| Text::new("Diklat tersimpan.", "Training saved."), &back, echo).await
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
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<SessionForm>,
) -> Response {
    let back = format!("/diklat/{}#sesi", f.diklat);
    let (caller, scopes) = allowed!(manager(caller, &back));
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
    super::finish_form(&session, r, |_| message, &back, (&form, &anchor, values)).await
}

#[derive(serde::Deserialize)]
struct DeleteSessionForm {
    id: i32,
    diklat: i32,
    yakin: Option<String>,
}

async fn delete_session(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<DeleteSessionForm>,
) -> Response {
    let back = format!("/diklat/{}#sesi", f.diklat);
    let (caller, scopes) = allowed!(manager(caller, &back));
    if f.yakin.is_none() {
        flash(
            &session,
            Flash::error(Text::new(
                "Centang konfirmasi untuk menghapus sesi.",
                "Tick the confirmation to delete the session.",
            )),
        )
        .await;
        return Redirect::to(&back).into_response();
    }
    let r = schedule::delete_session(state.app.db.write(), &caller, &scopes, f.id).await;
    done(&session, r, |_| Text::new("Sesi dihapus.", "Session deleted."), &back).await
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
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<BulkForm>,
) -> Response {
    let back = format!("/diklat/{}#form-daftarkan", f.diklat);
    let (caller, scopes) = allowed!(manager(caller, &back));
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
        Err(e) => return done(&session, Err::<(), _>(e), |_| Text::default(), &back).await,
    };
    flash(&session, message.at_form("daftarkan", choices)).await;
    Redirect::to(&back).into_response()
}

#[derive(serde::Deserialize)]
struct EnrolOneForm {
    diklat: i32,
    /// NIK or phone number.
    orang: String,
}

async fn enrol_one(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<EnrolOneForm>,
) -> Response {
    let back = format!("/diklat/{}/peserta", f.diklat);
    let (caller, scopes) = allowed!(manager(caller, &back));
    let db = state.app.db.write();
    let r = match schedule::find_person(db, &scopes, &f.orang).await {
        Ok(person) => schedule::enrol_one(db, &caller, &scopes, f.diklat, person.0).await.map(|_| person.1),
        Err(e) => Err(e),
    };
    done(&session, r, |name| Text::new(format!("{name} didaftarkan."), format!("{name} enrolled.")), &back).await
}

#[derive(serde::Deserialize)]
struct WithdrawForm {
    diklat: i32,
    orang: i32,
    yakin: Option<String>,
}

async fn withdraw(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let back = format!("/diklat/{}/peserta", f.diklat);
    let (caller, scopes) = allowed!(manager(caller, &back));
    if f.yakin.is_none() {
        flash(
            &session,
            Flash::error(Text::new(
                "Centang konfirmasi untuk mengeluarkan peserta.",
                "Tick the confirmation to remove the participant.",
            )),
        )
        .await;
        return Redirect::to(&back).into_response();
    }
    let r = schedule::withdraw(state.app.db.write(), &caller, &scopes, f.diklat, f.orang).await;
    done(
        &session,
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

/// The grid posts one set of fields per row: `s{id}` status, `c{id}` note, `r{id}` reason,
/// `v{id}` the version shown, `o{id}` the status/note/reason shown (rows left as shown are skipped).
async fn save_grid(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some(session_id) = f.get("sesi").and_then(|s| s.parse::<i32>().ok()) else {
        return (StatusCode::BAD_REQUEST, "Sesi tidak disebut").into_response();
    };
    let back = grid_url(session_id, f.get("kelurahan"));
    let (caller, scopes) = allowed!(manager(caller, &back));
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
            flash(
                &session,
                Flash::error(Text::new(
                    format!("Status \"{status}\" tidak dikenal."),
                    format!("Unknown status \"{status}\"."),
                )),
            )
            .await;
            return Redirect::to(&back).into_response();
        };
        let seen = f.get(&format!("v{person_id}")).map(|v| v.parse::<i32>().ok());
        marks.push(Mark { person_id, status, note: Some(note), reason: Some(reason), seen_version: seen });
    }
    if marks.is_empty() {
        flash(&session, Flash::ok(Text::new("Tidak ada perubahan.", "Nothing changed."))).await;
        return Redirect::to(&back).into_response();
    }
    let r =
        attendance::save_marks(state.app.db.write(), &caller, &scopes, session_id, marks, attendance::Source::Panitia)
            .await;
    done(
        &session,
        r,
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
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = grid_url(f.sesi, f.kelurahan.as_ref());
    let (caller, scopes) = allowed!(manager(caller, &back));
    let village = opt_id(&f.kelurahan);
    let r = attendance::mark_rest_present(state.app.db.write(), &caller, &scopes, f.sesi, village).await;
    done(
        &session,
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
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = format!("/sesi/{}", f.sesi);
    let (caller, scopes) = allowed!(manager(caller, &back));
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
        Err(e) => done(&session, Err::<(), _>(e), |_| Text::default(), &back).await,
    }
}

async fn close_checkin(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<SessionRef>,
) -> Response {
    let back = format!("/sesi/{}", f.sesi);
    let (caller, scopes) = allowed!(manager(caller, &back));
    let r = attendance::close_checkin(state.app.db.write(), &caller, &scopes, f.sesi, chrono::Utc::now()).await;
    done(&session, r, |_| Text::new("Presensi mandiri ditutup.", "Self check-in closed."), &back).await
}

#[derive(serde::Deserialize)]
struct CheckinForm {
    kode: String,
    sesi: Option<String>,
}

async fn check_in(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
    Form(f): Form<CheckinForm>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        let back = match opt_id(&f.sesi) {
            Some(s) => format!("/presensi?sesi={s}&kode={}", app::i18n::encode_component(&f.kode)),
            None => "/presensi".to_string(),
        };
        return super::Denied::SignIn(back).into_response();
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
            flash(&session, Flash::error(message)).await;
            return Redirect::to("/presensi").into_response();
        }
        Err(e) => {
            tracing::error!("check-in limit: {e:?}");
            flash(&session, Flash::error(e.public_text())).await;
            return Redirect::to("/presensi").into_response();
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
    flash(&session, message).await;
    Redirect::to(&back).into_response()
}

async fn import_marks(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    session: Session,
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
    let (caller, scopes) = allowed!(manager(caller, &back));
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        flash(
            &session,
            Flash::error(Text::new(
                "Pilih berkas CSV presensi terlebih dahulu.",
                "Choose an attendance CSV file first.",
            )),
        )
        .await;
        return Redirect::to(&back).into_response();
    };
    let r = attendance::import_marks(state.app.db.write(), &caller, &scopes, session_id, &name, &bytes).await;
    done(
        &session,
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
        Err(e) => {
            tracing::error!("diklat feed: {e:?}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
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
        Err(e) => {
            tracing::error!("person feed: {e:?}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `{prefix}-{id}.{csv|xlsx}` exactly (nothing else in the name: it is sent back as the file
/// name), as the id and extension.
pub(super) fn split_file<'a>(file: &'a str, prefix: &str) -> Option<(i32, &'a str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let id: i32 = stem.strip_prefix(prefix)?.strip_prefix('-')?.parse().ok()?;
    (stem == format!("{prefix}-{id}") && matches!(ext, "csv" | "xlsx")).then_some((id, ext))
}

/// `/unduh/sesi/presensi-sesi-{id}.csv|xlsx`: one session's marks.
async fn session_export(
    State(state): State<ServerState>,
    caller: Option<Extension<Caller>>,
    Path(file): Path<String>,
) -> Response {
    let Some((id, ext)) = split_file(&file, "presensi-sesi") else { return StatusCode::NOT_FOUND.into_response() };
    let (_, scopes) = allowed!(manager(caller, &format!("/sesi/{id}")));
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
    caller: Option<Extension<Caller>>,
    Path(file): Path<String>,
) -> Response {
    let Some((id, ext)) = split_file(&file, "kehadiran-diklat") else { return StatusCode::NOT_FOUND.into_response() };
    let (_, scopes) = allowed!(manager(caller, &format!("/diklat/{id}")));
    let db = state.app.db.read();
    let rows = match schedule::managed(db, &scopes, id).await {
        Ok(d) => super::scoped(db, &d, attendance::diklat_report(db, &d, chrono::Utc::now()).await).await,
        Err(e) => Err(e),
    };
    let headers = attendance::DIKLAT_REPORT_HEADERS;
    let table = super::Table { columns: headers, labels: headers, sheet: "Kehadiran" };
    super::export_response(rows, &table, "Kehadiran peserta per diklat", &file, ext)
}
