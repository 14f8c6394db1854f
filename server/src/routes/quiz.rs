//! Quiz form posts: start an attempt, save answers, submit. All work without JavaScript.

use super::extract::{ContentManager, Manager, Reply, SignedIn, Wants};
use crate::startup::ServerState;
use app::{api::Flash, quiz_api::GiftPending};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use domain::{
    auth::Caller,
    services::quizzes::{self, Phase},
    AppError,
};
use sea_orm::EntityTrait;
use types::Text;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/kuis/mulai", post(start))
        .route("/kuis/jawab", post(answer))
        .route("/kuis/pengaturan", post(settings))
        .route("/unduh/kuis/{file}", axum::routing::get(results_csv))
        .route("/bank-soal", axum::routing::get(bank_picker))
        .route(
            "/bank-soal/impor",
            post(gift_upload).layer(axum::extract::DefaultBodyLimit::max(GiftPending::MAX_BYTES + 64 * 1024)),
        )
        .route("/bank-soal/konfirmasi", post(gift_confirm))
}

fn fail(e: &AppError) {
    if e.status() >= 500 {
        tracing::error!("quiz: {e:?}");
    }
}

#[derive(serde::Deserialize)]
struct StartForm {
    slug: String,
    fase: String,
}

async fn start(
    State(state): State<ServerState>,
    SignedIn(caller): SignedIn,
    reply: Reply,
    Form(f): Form<StartForm>,
) -> Response {
    let back = format!("/kuis/{}/{}", app::i18n::encode_component(&f.slug), app::i18n::encode_component(&f.fase));
    let (Some(phase), Some((_, module_id)), true) =
        (Phase::from_slug(&f.fase), state.app.module(&f.slug), state.app.banks.contains_key(&f.slug))
    else {
        return AppError::NotFound.into_response();
    };
    let started = async {
        let now = chrono::Utc::now();
        let db = state.app.db.read();
        // A test is taken for a diklat, inside that enrolment's window for the module.
        let diklat =
            match domain::services::windows::open_for(db, caller.person_id, module_id, phase == Phase::Pre, now).await?
            {
                Ok(d) => d,
                Err(closed) => {
                    let t = closed.text();
                    return Err(domain::AppError::invalid("Tes", t.id, t.en));
                }
            };
        let q = quizzes::quiz_of(db, module_id, phase).await?;
        let bank = quizzes::current_bank(db, module_id).await?;
        quizzes::start(state.app.db.write(), &state.app.questions, caller.person_id, &q, &bank, diklat.id, now).await
    };
    match started.await {
        Ok(a) => Redirect::to(&format!("/percobaan/{}", a.id)).into_response(),
        Err(e) => {
            fail(&e);
            reply.to(&back, Flash::error(e.public_text())).await
        }
    }
}

/// The answer form: `percobaan`, one `d` per question shown, `q{id}` per answer (several for a
/// several-correct question), `aksi` = simpan | kumpulkan, `yakin` to confirm submitting.
///
/// The attempt page's autosave island posts the same form for data ([`Wants::Data`]): that only
/// saves, whatever button is named, and answers with the time saved (WIB) as JSON.
async fn answer(
    State(state): State<ServerState>,
    SignedIn(caller): SignedIn,
    wants: Wants,
    reply: Reply,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some(attempt_id) = get("percobaan").and_then(|v| v.parse::<i64>().ok()) else {
        let missing = AppError::invalid("percobaan", "Percobaan tidak disebut.", "The attempt is not named.");
        return match wants {
            Wants::Data => missing.into_data_response(),
            Wants::Page => (StatusCode::BAD_REQUEST, "Percobaan tidak disebut").into_response(),
        };
    };
    let back = format!("/percobaan/{attempt_id}");
    let db = state.app.db.write();
    let read =
        quizzes::posted_answers(state.app.db.read(), &state.app.questions, caller.person_id, attempt_id, &fields);
    if wants == Wants::Data {
        let saved = async {
            let (attempt, responses) = read.await?;
            let now = chrono::Utc::now();
            quizzes::save(db, &state.app.questions, attempt, responses, now).await?;
            Ok(app::quiz_api::Autosaved {
                at: now.with_timezone(&domain::services::schedule::wib()).format("%H:%M:%S").to_string(),
            })
        };
        return Wants::data(saved.await);
    }
    let (attempt, responses) = match read.await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    // Paging buttons (`aksi` = `hal-N`) save quietly and move to page N.
    let page = get("hal").and_then(|p| p.parse::<usize>().ok()).filter(|p| *p > 1);
    let back = match page {
        Some(p) => format!("/percobaan/{attempt_id}?hal={p}"),
        None => back,
    };
    if let Some(to) = get("aksi").and_then(|a| a.strip_prefix("hal-")).and_then(|p| p.parse::<usize>().ok()) {
        let saved = quizzes::save(db, &state.app.questions, attempt.clone(), responses, chrono::Utc::now()).await;
        if let Err(e) = saved {
            fail(&e);
            return reply.to(&back, Flash::error(e.public_text())).await;
        }
        return Redirect::to(&format!("/percobaan/{attempt_id}?hal={}", to.max(1))).into_response();
    }
    let now = chrono::Utc::now();
    let cache = &state.app.questions;
    let submitting = get("aksi") == Some("kumpulkan");
    if !(submitting && get("yakin").is_some()) {
        if let Err(e) = quizzes::save(db, cache, attempt.clone(), responses, now).await {
            fail(&e);
            return reply.to(&back, Flash::error(e.public_text())).await;
        }
        let message = if submitting {
            Flash::error(Text::new(
                "Jawaban tersimpan. Centang \"Saya selesai\" untuk mengumpulkan.",
                "Answers saved. Tick \"Saya selesai\" (I am done) to submit.",
            ))
        } else {
            Flash::ok(Text::new("Jawaban tersimpan.", "Answers saved."))
        };
        return reply.to(&back, message).await;
    }
    match quizzes::submit_attempt(state.app.db.read(), db, cache, attempt, responses, now).await {
        Ok(a) if a.status == types::AttemptStatus::Expired => {
            let score = a.score.unwrap_or(0.0);
            reply
                .keep(Flash::error(Text::new(
                    format!(
                        "Waktu habis: yang tersimpan sebelum batas waktu dinilai. Nilai Anda {}.",
                        app::i18n::decimal(score, app::i18n::Lang::Id)
                    ),
                    format!(
                        "Time is up: what was saved before the time limit has been graded. Your score is {}.",
                        app::i18n::decimal(score, app::i18n::Lang::En)
                    ),
                )))
                .await;
        }
        // The attempt page says "Terkumpul" itself: no session write on the busiest path.
        Ok(a) => {
            if a.passed == Some(true) {
                issue_if_complete(&state, caller.person_id, a.quiz_id).await;
            }
            return Redirect::to(&format!("/percobaan/{attempt_id}?terkumpul=1")).into_response();
        }
        Err(e) => {
            fail(&e);
            reply.keep(Flash::error(e.public_text())).await;
        }
    }
    Redirect::to(&back).into_response()
}

/// `/unduh/kuis/hasil-{diklat}-{slug}.csv|xlsx`: pre/post grades and gain of everyone enrolled;
/// `/unduh/kuis/kelurahan-{diklat}-{slug}.csv|xlsx`: the same summed up per kelurahan.
async fn results_csv(
    State(state): State<ServerState>,
    Manager { scopes, .. }: Manager,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    use domain::services::{quiz_report, schedule};
    let parsed = file.rsplit_once('.').and_then(|(stem, ext)| {
        let (kind, rest) = stem.split_once('-')?;
        let (id, slug) = rest.split_once('-')?;
        Some((kind.to_string(), id.parse::<i32>().ok()?, slug.to_string(), ext.to_string()))
    });
    let Some((kind, diklat_id, slug, ext)) = parsed.filter(|(k, ..)| k == "hasil" || k == "kelurahan") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((module, module_id)) = state.app.module(&slug) else { return StatusCode::NOT_FOUND.into_response() };
    let db = state.app.db.read();
    let (rows, d) = match schedule::managed(db, &scopes, diklat_id).await {
        Ok(d) => (quiz_report::results(db, d.id, module_id).await, Some(d)),
        Err(e) => (Err(e), None),
    };
    let (table, headers, title, sheet) = if kind == "kelurahan" {
        let table = rows.map(|r| quiz_report::village_table(&quiz_report::by_village(&r)));
        (table, quiz_report::VILLAGE_HEADERS, "Hasil tes per kelurahan", "Per kelurahan")
    } else {
        (rows.map(|r| quiz_report::result_table(&r)), quiz_report::RESULT_HEADERS, "Hasil tes peserta", "Hasil kuis")
    };
    let table = match d.as_ref() {
        Some(d) => super::scoped(db, d, table).await,
        None => table.map(|t| (t, String::new())),
    };
    let title = format!("{title}: {}", module.meta.title);
    super::export_response(table, &super::Table { columns: headers, labels: headers, sheet }, &title, &file, &ext)
}

#[derive(serde::Deserialize)]
struct SettingsForm {
    slug: String,
    fase: String,
    jumlah: String,
    lulus: String,
    kesempatan: String,
    #[serde(default)]
    waktu: String,
    metode: String,
    acak_soal: Option<String>,
    acak_opsi: Option<String>,
    pembahasan: Option<String>,
}

/// Quiz settings: admins and national panitia (they are the module's defaults for every diklat).
async fn settings(
    State(state): State<ServerState>,
    ContentManager(caller): ContentManager,
    reply: Reply,
    Form(f): Form<SettingsForm>,
) -> Response {
    let back = format!("/kuis/{}/{}", app::i18n::encode_component(&f.slug), app::i18n::encode_component(&f.fase));
    let (Some(phase), Some((_, module_id))) = (Phase::from_slug(&f.fase), state.app.module(&f.slug)) else {
        return AppError::NotFound.into_response();
    };
    let input = quizzes::SettingsInput {
        question_count: f.jumlah,
        pass_mark: f.lulus,
        max_attempts: f.kesempatan,
        time_limit_minutes: f.waktu,
        grading_method: f.metode,
        shuffle_questions: f.acak_soal.is_some(),
        shuffle_options: f.acak_opsi.is_some(),
        show_review: f.pembahasan.is_some(),
    };
    let result = async {
        let q = quizzes::quiz_of(state.app.db.read(), module_id, phase).await?;
        let bank_size = quizzes::current_bank(state.app.db.read(), module_id).await?.questions.len();
        quizzes::update_settings(state.app.db.write(), &caller, q.id, bank_size, &input).await
    }
    .await;
    match result {
        Ok(()) => reply.keep(Flash::ok(Text::new("Pengaturan kuis tersimpan.", "Quiz settings saved."))).await,
        Err(e) => {
            fail(&e);
            reply.keep(Flash::error(e.public_text())).await;
        }
    }
    Redirect::to(&back).into_response()
}

#[derive(serde::Deserialize)]
struct PickForm {
    modul: String,
}

/// The module picker on `/bank-soal/{slug}` without JavaScript.
async fn bank_picker(axum::extract::Query(f): axum::extract::Query<PickForm>) -> Response {
    Redirect::to(&format!("/bank-soal/{}", app::i18n::encode_component(&f.modul))).into_response()
}

/// `POST /bank-soal/impor` (multipart: `modul`, `berkas`): reads a GIFT file. Without problems
/// it is imported at once; otherwise it waits in the session for the panitia to confirm.
async fn gift_upload(
    State(state): State<ServerState>,
    ContentManager(caller): ContentManager,
    reply: Reply,
    mut form: axum::extract::Multipart,
) -> Response {
    let mut slug = String::new();
    let (mut objective, mut section) = (String::new(), String::new());
    let mut file: Option<(String, Result<Vec<u8>, Text>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("modul") => slug = field.text().await.unwrap_or_default(),
            Ok(Some(field)) if field.name() == Some("tujuan") => objective = field.text().await.unwrap_or_default(),
            Ok(Some(field)) if field.name() == Some("bagian") => section = field.text().await.unwrap_or_default(),
            Ok(Some(field)) if field.name() == Some("berkas") => {
                let name = field.file_name().unwrap_or("berkas").to_string();
                let bytes = field.bytes().await.map(|b| b.to_vec()).map_err(|_| too_large());
                file = Some((name, bytes));
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => {
                file = Some((
                    String::new(),
                    Err(Text::new(
                        format!(
                            "Unggahan gagal atau terlalu besar (maksimal {} MB).",
                            GiftPending::MAX_BYTES / 1024 / 1024
                        ),
                        format!(
                            "The upload failed or is too large (at most {} MB).",
                            GiftPending::MAX_BYTES / 1024 / 1024
                        ),
                    )),
                ));
                break;
            }
        }
    }
    let back = format!("/bank-soal/{}", app::i18n::encode_component(&slug));
    let Some((module, module_id)) = state.app.module(&slug) else {
        return AppError::NotFound.into_response();
    };
    // What every uploaded question measures and where it comes from: held to the bank's rules.
    let objective = match objective.trim() {
        "" => None,
        typed => match typed.parse::<u32>() {
            Ok(n) if n >= 1 && n as usize <= module.meta.objectives.len() => Some(n),
            _ => {
                return reply
                    .to(
                        &back,
                        Flash::error(Text::new(
                            "Tujuan: pilih salah satu tujuan modul ini.",
                            "Objective: choose one of this module's objectives.",
                        )),
                    )
                    .await;
            }
        },
    };
    let section = match section.trim() {
        "" => None,
        typed if module.sections.iter().any(|s| s.anchor == typed) => Some(typed.to_string()),
        _ => {
            return reply
                .to(
                    &back,
                    Flash::error(Text::new(
                        "Bagian: pilih salah satu bagian modul ini.",
                        "Section: choose one of this module's sections.",
                    )),
                )
                .await;
        }
    };
    let (name, text) = match file {
        Some((name, Ok(bytes))) if !bytes.is_empty() && bytes.len() <= GiftPending::MAX_BYTES => {
            match String::from_utf8(bytes) {
                Ok(text) => (name, text),
                Err(_) => {
                    return reply
                        .to(
                            &back,
                            Flash::error(Text::new(
                                format!("{name}: bukan teks UTF-8. Simpan ulang berkas GIFT sebagai UTF-8."),
                                format!("{name}: not UTF-8 text. Save the GIFT file again as UTF-8."),
                            )),
                        )
                        .await;
                }
            }
        }
        Some((name, Ok(bytes))) if !bytes.is_empty() => {
            let _ = name;
            return reply.to(&back, Flash::error(too_large())).await;
        }
        Some((_, Err(message))) => {
            return reply.to(&back, Flash::error(message)).await;
        }
        _ => {
            return reply
                .to(
                    &back,
                    Flash::error(Text::new(
                        "Berkas: pilih berkas GIFT untuk diunggah.",
                        "File: choose a GIFT file to upload.",
                    )),
                )
                .await;
        }
    };
    let pending = GiftPending { slug: slug.clone(), file_name: name, text, objective, section };
    let parsed = quizzes::read_gift(state.app.db.read(), module_id, &pending.text).await;
    let import = match parsed {
        Ok(mut i) => {
            i.tag(pending.objective, pending.section.clone());
            i
        }
        Err(e) => {
            fail(&e);
            return reply.to(&back, Flash::error(e.public_text())).await;
        }
    };
    if import.needs_confirmation() {
        if let Err(e) = reply.session().insert(GiftPending::KEY, &pending).await {
            tracing::error!("storing a GIFT upload: {e}");
        }
        return Redirect::to(&format!("{back}#konfirmasi")).into_response();
    }
    let _ = reply.session().remove::<GiftPending>(GiftPending::KEY).await;
    finish_import(&state, &reply, &caller, module, module_id, &pending.file_name, &import).await;
    Redirect::to(&back).into_response()
}

/// The refusal of an upload over [`GiftPending::MAX_BYTES`].
fn too_large() -> Text {
    let mb = GiftPending::MAX_BYTES / 1024 / 1024;
    Text::new(format!("Berkas terlalu besar (maksimal {mb} MB)."), format!("The file is too large (at most {mb} MB)."))
}

async fn finish_import(
    state: &ServerState,
    reply: &Reply,
    caller: &Caller,
    module: &domain::content::Module,
    module_id: i32,
    file_name: &str,
    import: &domain::gift::GiftImport,
) {
    match quizzes::import_gift(state.app.db.write(), caller, module, module_id, file_name, import).await {
        Ok(added) => {
            let skipped = import.skipped();
            let message = if skipped > 0 {
                Text::new(
                    format!("{added} soal dari {file_name} diimpor ke bank soal; {skipped} dilewati."),
                    format!("{added} questions from {file_name} imported into the question bank; {skipped} skipped."),
                )
            } else {
                Text::new(
                    format!("{added} soal dari {file_name} diimpor ke bank soal."),
                    format!("{added} questions from {file_name} imported into the question bank."),
                )
            };
            reply.keep(Flash::ok(message)).await;
        }
        Err(e) => {
            fail(&e);
            reply.keep(Flash::error(e.public_text())).await;
        }
    }
}

#[derive(serde::Deserialize)]
struct ConfirmForm {
    modul: String,
    aksi: String,
    yakin: Option<String>,
}

/// `POST /bank-soal/konfirmasi`: import the waiting upload without its problem questions, or drop it.
async fn gift_confirm(
    State(state): State<ServerState>,
    ContentManager(caller): ContentManager,
    reply: Reply,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let back = format!("/bank-soal/{}", app::i18n::encode_component(&f.modul));
    let Some((module, module_id)) = state.app.module(&f.modul) else {
        return AppError::NotFound.into_response();
    };
    let pending =
        reply.session().get::<GiftPending>(GiftPending::KEY).await.ok().flatten().filter(|p| p.slug == f.modul);
    let Some(pending) = pending else {
        return reply
            .to(
                &back,
                Flash::error(Text::new(
                    "Tidak ada impor yang menunggu; unggah berkasnya lagi.",
                    "No import is waiting; upload the file again.",
                )),
            )
            .await;
    };
    if f.aksi == "batal" {
        let _ = reply.session().remove::<GiftPending>(GiftPending::KEY).await;
        return reply
            .to(
                &back,
                Flash::ok(Text::new(
                    format!("Impor {} dibatalkan; bank soal tidak berubah.", pending.file_name),
                    format!("Import of {} cancelled; the question bank is unchanged.", pending.file_name),
                )),
            )
            .await;
    }
    if f.yakin.is_none() {
        return reply
            .to(
                &format!("{back}#konfirmasi"),
                Flash::error(Text::new(
                    "Centang \"Saya setuju\" untuk mengimpor soal yang valid.",
                    "Tick \"Saya setuju\" (I agree) to import the valid questions.",
                )),
            )
            .await;
    }
    let parsed = quizzes::read_gift(state.app.db.read(), module_id, &pending.text).await;
    match parsed {
        Ok(mut import) => {
            import.tag(pending.objective, pending.section.clone());
            finish_import(&state, &reply, &caller, module, module_id, &pending.file_name, &import).await;
            let _ = reply.session().remove::<GiftPending>(GiftPending::KEY).await;
        }
        Err(e) => {
            fail(&e);
            reply.keep(Flash::error(e.public_text())).await;
        }
    }
    Redirect::to(&back).into_response()
}

/// A passed post-test may complete a diklat: its certificate is issued at once (no one has to
/// open a page). Failures are logged; the periodic issue retries.
async fn issue_if_complete(state: &ServerState, person_id: i32, quiz_id: i32) {
    let post = domain::entities::quiz::Entity::find_by_id(quiz_id)
        .one(state.app.db.read())
        .await
        .ok()
        .flatten()
        .is_some_and(|q| q.kind == Phase::Post);
    if post {
        issue_completed(state, person_id, "a passed post-test").await;
    }
}

/// Issues the certificates `person_id` has just completed (`after`: what completed them, for
/// the log), as the automatic issue does; a failure is logged, the request goes on.
pub(super) async fn issue_completed(state: &ServerState, person_id: i32, after: &str) {
    let modules = state.app.quiz_modules();
    match domain::services::certificates::issue_for_person(
        state.app.db.read(),
        state.app.db.write(),
        &state.app.certificate_key,
        person_id,
        &modules,
    )
    .await
    {
        Ok(issued) => {
            if !issued.is_empty() {
                state.app.reports_changed();
            }
            for c in issued {
                tracing::info!(number = %c.number, "certificate issued after {after}");
            }
        }
        Err(e) => tracing::error!("issuing certificates for person {person_id}: {e:?}"),
    }
}
