//! The participants' evaluation of a diklat: its organisation (one form per diklat) and each
//! narasumber (one form per session attended). Forms come from `content/evaluasi`
//! ([`crate::evaluation`]).
//!
//! Anonymity: who has responded (`evaluation_responders`) and what was answered
//! (`evaluation_answers`) are written in one transaction but share nothing a query could join
//! them on: the answers carry no person, no time and a random id, and drafts (which do name their
//! author) are deleted on submission. Reports show a group's figures and open answers only when
//! at least `min_group` answers make them up.

use super::audit;
use crate::auth::{Caller, Scope};
use crate::entities::{
    attendance, diklat, diklat_session, enrolment, evaluation_answer, evaluation_draft, evaluation_responder,
    evaluation_setting, narasumber,
};
use crate::evaluation::{Form, Kind, Scope as FormScope};
use crate::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// `session_id` of a form about the whole diklat.
pub const WHOLE_DIKLAT: i32 = 0;

/// Which forms a diklat asks for, and whether its certificates wait for them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub forms: Vec<String>,
    /// Those of `forms` filled in per session (as the form said when the panitia chose it).
    pub session_forms: Vec<String>,
    pub required: bool,
}

/// Stored as `id:diklat,id:sesi`: the scope is kept with the choice, so the completion rule
/// reads it without the content folder.
pub async fn settings<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Settings, AppError> {
    Ok(evaluation_setting::Entity::find_by_id(diklat_id).one(db).await?.map(|s| Settings::of(&s)).unwrap_or_default())
}

impl Settings {
    /// Reads the stored row (the one place that knows its `id:scope` encoding, with [`setting_entry`]).
    fn of(s: &evaluation_setting::Model) -> Settings {
        let mut out = Settings { required: s.required, ..Settings::default() };
        for entry in s.forms.split(',').filter(|f| !f.is_empty()) {
            let (id, scope) = entry.split_once(':').unwrap_or((entry, "diklat"));
            out.forms.push(id.to_string());
            if scope == "sesi" {
                out.session_forms.push(id.to_string());
            }
        }
        out
    }
}

/// The id of a stored answer: random and positive, so it says nothing about when, or in which
/// order, forms were sent.
pub fn answer_id() -> i64 {
    rand::random::<i64>() & i64::MAX
}

/// How a chosen form is stored in `evaluation_settings.forms`: `id:diklat` or `id:sesi`.
pub fn setting_entry(form: &Form) -> String {
    format!("{}:{}", form.id, if form.scope == FormScope::Session { "sesi" } else { "diklat" })
}

/// A panitia sets which of the `known` forms diklat `diklat_id` asks for (audited; the diklat's
/// standings are refreshed, since a required form changes who has completed).
pub async fn save_settings<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    diklat_id: i32,
    chosen: &[String],
    required: bool,
    known: &[Form],
) -> Result<(), AppError> {
    let d = super::schedule::managed(db, scopes, diklat_id).await?;
    let mut forms = Vec::new();
    for id in chosen {
        let Some(form) = known.iter().find(|f| &f.id == id) else {
            return Err(AppError::invalid(
                "Formulir evaluasi",
                format!("Formulir evaluasi \"{id}\" tidak dikenal."),
                format!("Unknown evaluation form \"{id}\"."),
            ));
        };
        let entry = setting_entry(form);
        if !forms.contains(&entry) {
            forms.push(entry);
        }
    }
    if required && forms.is_empty() {
        return Err(AppError::invalid(
            "Wajib sebelum sertifikat",
            "Pilih sedikitnya satu formulir evaluasi untuk diwajibkan.",
            "Choose at least one evaluation form to require.",
        ));
    }
    let txn = db.begin().await?;
    evaluation_setting::Entity::insert(evaluation_setting::ActiveModel {
        diklat_id: Set(d.id),
        forms: Set(forms.join(",")),
        required: Set(required),
    })
    .on_conflict(
        OnConflict::column(evaluation_setting::Column::DiklatId)
            .update_columns([evaluation_setting::Column::Forms, evaluation_setting::Column::Required])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    audit::record(
        &txn,
        Some(caller.account_id),
        "evaluation.settings",
        "diklat",
        Some(d.id.to_string()),
        Some(serde_json::json!({ "forms": forms, "required": required })),
    )
    .await?;
    super::stale::mark_stale(&txn, d.id).await?;
    txn.commit().await?;
    Ok(())
}

/// A form a participant is asked to fill in.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub form_id: String,
    /// The session whose narasumber is rated ([`WHOLE_DIKLAT`] for the organisation form).
    pub session_id: i32,
    pub session_title: Option<String>,
    pub session_date: Option<chrono::NaiveDate>,
    pub narasumber_id: Option<i32>,
    pub speaker: Option<String>,
    pub submitted: bool,
    pub draft: bool,
}

fn attended(status: &str) -> bool {
    matches!(types::Attendance::parse(status), Some(types::Attendance::Hadir | types::Attendance::Terlambat))
}

/// What `person_id` is asked to evaluate now: for each diklat they are enrolled in that asks for
/// forms, the organisation form once its first session has started, and the narasumber form for
/// every session with a narasumber that has started and that they attended (H or T).
pub async fn due_for<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    now: DateTime<Utc>,
) -> Result<Vec<Due>, AppError> {
    let diklat_ids: Vec<i32> = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.diklat_id)
        .collect();
    let asked: Vec<evaluation_setting::Model> = evaluation_setting::Entity::find()
        .filter(evaluation_setting::Column::DiklatId.is_in(diklat_ids))
        .filter(evaluation_setting::Column::Forms.ne(""))
        .all(db)
        .await?;
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let done: HashSet<(i32, String, i32)> = evaluation_responder::Entity::find()
        .filter(evaluation_responder::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.diklat_id, r.form_id, r.session_id))
        .collect();
    let drafts: HashSet<(i32, String, i32)> = evaluation_draft::Entity::find()
        .filter(evaluation_draft::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.diklat_id, r.form_id, r.session_id))
        .collect();
    let mut out = Vec::new();
    for setting in asked {
        let Some(d) = diklat::Entity::find_by_id(setting.diklat_id).one(db).await? else { continue };
        let sessions = diklat_session::Entity::find()
            .filter(diklat_session::Column::DiklatId.eq(d.id))
            .order_by_asc(diklat_session::Column::SessionDate)
            .order_by_asc(diklat_session::Column::StartsAt)
            .all(db)
            .await?;
        let started = |s: &diklat_session::Model| super::clock::wib_instant(s.session_date, s.starts_at) <= now;
        let marks: HashMap<i32, String> = attendance::Entity::find()
            .filter(attendance::Column::PersonId.eq(person_id))
            .filter(attendance::Column::DiklatSessionId.is_in(sessions.iter().map(|s| s.id)))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.diklat_session_id, a.status))
            .collect();
        let speaker_ids: Vec<i32> = sessions.iter().filter_map(|s| s.narasumber_id).collect();
        let speakers: HashMap<i32, String> = narasumber::Entity::find()
            .filter(narasumber::Column::Id.is_in(speaker_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n.name))
            .collect();
        for form_id in &Settings::of(&setting).forms {
            let Some(form) = forms.iter().find(|f| &f.id == form_id) else { continue };
            let mut push = |session: Option<&diklat_session::Model>| {
                let session_id = session.map_or(WHOLE_DIKLAT, |s| s.id);
                let key = (d.id, form.id.clone(), session_id);
                out.push(Due {
                    diklat_id: d.id,
                    diklat_name: d.name.clone(),
                    form_id: form.id.clone(),
                    session_id,
                    session_title: session.map(|s| s.title.clone()),
                    session_date: session.map(|s| s.session_date),
                    narasumber_id: session.and_then(|s| s.narasumber_id),
                    speaker: session.and_then(|s| s.narasumber_id).and_then(|id| speakers.get(&id).cloned()),
                    submitted: done.contains(&key),
                    draft: drafts.contains(&key),
                });
            };
            match form.scope {
                FormScope::Diklat => {
                    if sessions.iter().any(started) {
                        push(None);
                    }
                }
                FormScope::Session => {
                    for s in sessions.iter().filter(|s| {
                        s.narasumber_id.is_some() && started(s) && marks.get(&s.id).is_some_and(|m| attended(m))
                    }) {
                        push(Some(s));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The form `form_id` of diklat `diklat_id` (for session `session_id`) as `person_id` may fill it
/// in now, or why not.
async fn due_one<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    (diklat_id, form_id, session_id): (i32, &str, i32),
    now: DateTime<Utc>,
) -> Result<Due, AppError> {
    due_for(db, person_id, forms, now)
        .await?
        .into_iter()
        .find(|d| d.diklat_id == diklat_id && d.form_id == form_id && d.session_id == session_id)
        .ok_or_else(|| {
            AppError::invalid(
                "Evaluasi",
                "Evaluasi ini tidak untuk Anda: hanya peserta yang hadir (H atau T) yang menilai narasumber \
                 sesinya, sesudah sesi dimulai.",
                "This evaluation is not open to you: only participants who attended (H or T) rate a session's \
                 speaker, once the session has started.",
            )
        })
}

/// A form opened by its participant: what is asked, and their draft (answers by question id).
#[derive(Clone, Debug)]
pub struct Opened {
    pub due: Due,
    pub draft: BTreeMap<String, String>,
}

pub async fn open<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    key: (i32, &str, i32),
    now: DateTime<Utc>,
) -> Result<Opened, AppError> {
    let due = due_one(db, person_id, forms, key, now).await?;
    let draft = if due.submitted {
        BTreeMap::new()
    } else {
        evaluation_draft::Entity::find_by_id((person_id, key.0, key.1.to_string(), key.2))
            .one(db)
            .await?
            .and_then(|d| serde_json::from_str(&d.answers).ok())
            .unwrap_or_default()
    };
    Ok(Opened { due, draft })
}

/// Reads posted answers (`q_<question id>` = value) against `form`: ratings on its scale, open
/// answers trimmed (a browser's CRLF line breaks read as one character each) and at most
/// [`crate::evaluation::MAX_TEXT`] characters. A submission must rate every rated question and
/// keep to the limit; a draft keeps whatever can be kept (a rating off the scale is left out, a
/// long text is kept to be shortened), so a refused submission loses nothing typed.
pub fn read_answers(
    form: &Form,
    posted: &[(String, String)],
    submitting: bool,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    for q in &form.questions {
        let value = posted
            .iter()
            .find(|(k, _)| k.strip_prefix("q_") == Some(q.id.as_str()))
            .map(|(_, v)| v.replace("\r\n", "\n"))
            .unwrap_or_default();
        let value = value.trim();
        match q.kind {
            Kind::Scale => {
                if value.is_empty() {
                    if submitting {
                        return Err(AppError::invalid(
                            q.text.as_str(),
                            format!("{}: pilih salah satu nilai.", q.text),
                            format!("{}: choose one rating.", q.text_en),
                        ));
                    }
                    continue;
                }
                match value.parse::<u8>() {
                    Ok(p) if form.scale.points().contains(&p) => {
                        out.insert(q.id.clone(), p.to_string());
                    }
                    _ if !submitting => {}
                    _ => {
                        return Err(AppError::invalid(
                            q.text.as_str(),
                            format!("{}: nilai di luar skala {}–{}.", q.text, form.scale.min, form.scale.max),
                            format!("{}: a rating outside the scale {}–{}.", q.text_en, form.scale.min, form.scale.max),
                        ))
                    }
                }
            }
            Kind::Text => {
                if !submitting {
                    let kept: String = value.chars().take(4 * crate::evaluation::MAX_TEXT).collect();
                    if !kept.is_empty() {
                        out.insert(q.id.clone(), kept);
                    }
                    continue;
                }
                if value.chars().count() > crate::evaluation::MAX_TEXT {
                    return Err(AppError::invalid(
                        q.text.as_str(),
                        format!("{}: paling banyak {} karakter.", q.text, crate::evaluation::MAX_TEXT),
                        format!("{}: at most {} characters.", q.text_en, crate::evaluation::MAX_TEXT),
                    ));
                }
                if !value.is_empty() {
                    out.insert(q.id.clone(), value.to_string());
                }
            }
        }
    }
    Ok(out)
}

/// Keeps `answers` as the participant's draft of the form (replacing an earlier draft).
pub async fn save_draft<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    key: (i32, &str, i32),
    answers: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    unsent(db, person_id, forms, key, now).await?;
    evaluation_draft::Entity::insert(evaluation_draft::ActiveModel {
        person_id: Set(person_id),
        diklat_id: Set(key.0),
        form_id: Set(key.1.to_string()),
        session_id: Set(key.2),
        answers: Set(serde_json::to_string(answers).unwrap_or_default()),
    })
    .on_conflict(
        OnConflict::columns([
            evaluation_draft::Column::PersonId,
            evaluation_draft::Column::DiklatId,
            evaluation_draft::Column::FormId,
            evaluation_draft::Column::SessionId,
        ])
        .update_column(evaluation_draft::Column::Answers)
        .to_owned(),
    )
    .exec(db)
    .await?;
    // Sent meanwhile (a parallel submission committed after the check above): no draft may
    // outlive the submission, since it names its author.
    let sent = evaluation_responder::Entity::find_by_id((person_id, key.0, key.1.to_string(), key.2)).one(db).await?;
    if sent.is_some() {
        evaluation_draft::Entity::delete_by_id((person_id, key.0, key.1.to_string(), key.2)).exec(db).await?;
        return Err(already_sent());
    }
    Ok(())
}

/// The last day the evaluation of `d` counts in its figures: the day its post-tests close. The
/// figures are published the day after and never change: a report watched while answers come
/// in would show each newcomer's answers as the difference.
pub fn closes_on(d: &diklat::Model) -> chrono::NaiveDate {
    super::windows::close_on(d)
}

pub fn is_closed(d: &diklat::Model, now: DateTime<Utc>) -> bool {
    super::clock::today_wib(now) > closes_on(d)
}

/// The form as `person_id` may still fill it in: due to them and not sent yet.
async fn unsent<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    key: (i32, &str, i32),
    now: DateTime<Utc>,
) -> Result<Due, AppError> {
    let due = due_one(db, person_id, forms, key, now).await?;
    if due.submitted {
        return Err(already_sent());
    }
    Ok(due)
}

fn already_sent() -> AppError {
    AppError::conflict(
        "Evaluasi",
        "Evaluasi ini sudah Anda kirim; jawaban yang terkirim tidak dapat diubah.",
        "You have already sent this evaluation; sent answers cannot be changed.",
    )
}

/// Submits the form, once: records that the participant responded, stores the answers apart from
/// them (random id, no person, no time) and deletes their draft, in one transaction. A second
/// submission (also a parallel one) is refused by the responders' primary key.
pub async fn submit<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    person_id: i32,
    forms: &[Form],
    key: (i32, &str, i32),
    answers: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let due = unsent(db, person_id, forms, key, now).await?;
    let form = forms.iter().find(|f| f.id == key.1).ok_or(AppError::NotFound)?;
    let d = diklat::Entity::find_by_id(key.0).one(db).await?.ok_or(AppError::NotFound)?;
    let txn = db.begin().await?;
    let responded = evaluation_responder::Entity::insert(evaluation_responder::ActiveModel {
        person_id: Set(person_id),
        diklat_id: Set(key.0),
        form_id: Set(key.1.to_string()),
        session_id: Set(key.2),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(e) = responded {
        return Err(match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => already_sent(),
            _ => AppError::Database(e),
        });
    }
    evaluation_answer::Entity::insert(evaluation_answer::ActiveModel {
        id: Set(answer_id()),
        diklat_id: Set(key.0),
        form_id: Set(form.id.clone()),
        form_version: Set(form.version as i32),
        session_id: Set(key.2),
        narasumber_id: Set(due.narasumber_id),
        late: Set(is_closed(&d, now)),
        answers: Set(serde_json::to_string(answers).unwrap_or_default()),
    })
    .exec_without_returning(&txn)
    .await?;
    evaluation_draft::Entity::delete_by_id((person_id, key.0, key.1.to_string(), key.2)).exec(&txn).await?;
    super::stale::mark_stale(&txn, key.0).await?;
    txn.commit().await?;
    // A draft saved at the same moment may have committed after the delete above: it names its
    // author, so it goes too (`save_draft` checks the other way round).
    evaluation_draft::Entity::delete_by_id((person_id, key.0, key.1.to_string(), key.2)).exec(db).await?;
    Ok(())
}

/// For the completion rule: per enrolled person, the required forms of `d` they have not sent
/// (the form's id, with the number of sessions for a narasumber form). Empty when `d` requires
/// none. A narasumber form is required for every session with a narasumber the person attended.
pub async fn missing<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    people: &[i32],
) -> Result<HashMap<i32, Vec<String>>, AppError> {
    let s = settings(db, d.id).await?;
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    if !s.required || s.forms.is_empty() || people.is_empty() {
        return Ok(out);
    }
    let done: HashSet<(i32, String, i32)> = evaluation_responder::Entity::find()
        .filter(evaluation_responder::Column::DiklatId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.person_id, r.form_id, r.session_id))
        .collect();
    let rated: Vec<i32> = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .filter(diklat_session::Column::NarasumberId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut attended_by: HashMap<i32, Vec<i32>> = HashMap::new();
    for a in attendance::Entity::find().filter(attendance::Column::DiklatSessionId.is_in(rated)).all(db).await? {
        if attended(&a.status) {
            attended_by.entry(a.person_id).or_default().push(a.diklat_session_id);
        }
    }
    for &p in people {
        for form_id in &s.forms {
            if s.session_forms.contains(form_id) {
                let open = attended_by
                    .get(&p)
                    .map(|ss| ss.iter().filter(|sid| !done.contains(&(p, form_id.clone(), **sid))).count())
                    .unwrap_or(0);
                if open > 0 {
                    out.entry(p).or_default().push(format!("{form_id} ({open} sesi)"));
                }
            } else if !done.contains(&(p, form_id.clone(), WHOLE_DIKLAT)) {
                out.entry(p).or_default().push(form_id.clone());
            }
        }
    }
    Ok(out)
}

/// One question's figures: how many rated it, the mean and how many gave each point.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionFigures {
    pub id: String,
    pub text: String,
    pub text_en: String,
    pub answered: usize,
    pub mean: Option<f64>,
    /// Per point of the scale, lowest first.
    pub counts: Vec<usize>,
}

/// A form's figures over a group of answers (a diklat, or a narasumber's sessions).
#[derive(Clone, Debug, PartialEq)]
pub struct FormFigures {
    pub form_id: String,
    pub title: String,
    pub title_en: String,
    /// Forms sent, and forms asked for (enrolled people, or attended sessions).
    pub responses: usize,
    pub expected: usize,
    /// False when fewer than `min_group` answered: no figure is shown, to keep answers anonymous.
    pub shown: bool,
    pub questions: Vec<QuestionFigures>,
    /// The satisfaction index (25–100) for a 1–4 scale.
    pub ikm: Option<f64>,
    /// Open answers per open question (text, answers sorted alphabetically: no order to read).
    pub open: Vec<(String, String, Vec<String>)>,
}

impl FormFigures {
    pub fn response_percent(&self) -> u32 {
        if self.expected == 0 {
            0
        } else {
            ((self.responses * 100) as f64 / self.expected as f64).round() as u32
        }
    }
}

/// Figures of `form` over `answers` (the stored JSON of each; other versions of the form left out).
pub fn figures(form: &Form, answers: &[evaluation_answer::Model], expected: usize, min_group: usize) -> FormFigures {
    let current: Vec<BTreeMap<String, String>> = answers
        .iter()
        .filter(|a| a.form_id == form.id && a.form_version == form.version as i32 && !a.late)
        .filter_map(|a| serde_json::from_str(&a.answers).ok())
        .collect();
    let shown = current.len() >= min_group;
    let points: Vec<u8> = form.scale.points().collect();
    let mut questions = Vec::new();
    let mut means = Vec::new();
    if shown {
        for q in form.rated() {
            let values: Vec<u8> = current.iter().filter_map(|a| a.get(&q.id)?.parse().ok()).collect();
            let mean =
                (!values.is_empty()).then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64);
            if let Some(m) = mean {
                means.push(m);
            }
            questions.push(QuestionFigures {
                id: q.id.clone(),
                text: q.text.clone(),
                text_en: q.text_en.clone(),
                answered: values.len(),
                mean,
                counts: points.iter().map(|p| values.iter().filter(|v| *v == p).count()).collect(),
            });
        }
    }
    let open = if shown {
        form.open()
            .map(|q| {
                let mut texts: Vec<String> = current.iter().filter_map(|a| a.get(&q.id).cloned()).collect();
                texts.sort();
                (q.text.clone(), q.text_en.clone(), texts)
            })
            .collect()
    } else {
        Vec::new()
    };
    FormFigures {
        form_id: form.id.clone(),
        title: form.title.clone(),
        title_en: form.title_en.clone(),
        responses: current.len(),
        expected,
        shown,
        ikm: if shown && form.scale.is_ikm() { crate::evaluation::ikm(&means) } else { None },
        questions,
        open,
    }
}

/// A narasumber's figures in a diklat (or across diklat), over the sessions they spoke at.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeakerFigures {
    pub narasumber_id: i32,
    pub name: String,
    pub institution: String,
    pub sessions: Vec<String>,
    pub figures: FormFigures,
}

/// The panitia's report of diklat `d`.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub settings: Settings,
    /// The figures are published after this day ([`closes_on`]); until then only counts show.
    pub closes_on: chrono::NaiveDate,
    pub closed: bool,
    pub enrolled: usize,
    /// The diklat forms (organisation).
    pub forms: Vec<FormFigures>,
    /// The session forms, per narasumber.
    pub speakers: Vec<SpeakerFigures>,
}

pub async fn report<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    diklat_id: i32,
    forms: &[Form],
    min_group: usize,
    now: DateTime<Utc>,
) -> Result<(diklat::Model, Report), AppError> {
    let d = super::schedule::managed(db, scopes, diklat_id).await?;
    let closed = is_closed(&d, now);
    // Before the close no figure shows, however many answered: only the counts.
    let min_group = if closed { min_group } else { usize::MAX };
    let settings = settings(db, d.id).await?;
    let enrolled = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .count(db)
        .await? as usize;
    let answers =
        evaluation_answer::Entity::find().filter(evaluation_answer::Column::DiklatId.eq(d.id)).all(db).await?;
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .order_by_asc(diklat_session::Column::SessionDate)
        .order_by_asc(diklat_session::Column::StartsAt)
        .all(db)
        .await?;
    let mut out = Report {
        settings: settings.clone(),
        closes_on: closes_on(&d),
        closed,
        enrolled,
        forms: Vec::new(),
        speakers: Vec::new(),
    };
    for form in forms.iter().filter(|f| settings.forms.contains(&f.id)) {
        match form.scope {
            FormScope::Diklat => out.forms.push(figures(form, &answers, enrolled, min_group)),
            FormScope::Session => {
                out.speakers.extend(speaker_figures(db, form, &sessions, &answers, min_group).await?);
            }
        }
    }
    Ok((d, out))
}

/// The export of a report: CSV column names, then the XLSX headers.
pub const EXPORT_COLUMNS: &[&str] =
    &["bagian", "narasumber", "pertanyaan", "penjawab", "rata_rata", "n_1", "n_2", "n_3", "n_4", "n_5", "ikm"];
pub const EXPORT_LABELS: &[&str] = &[
    "Bagian",
    "Narasumber",
    "Pertanyaan",
    "Penjawab",
    "Rata-rata",
    "Jumlah nilai 1",
    "Jumlah nilai 2",
    "Jumlah nilai 3",
    "Jumlah nilai 4",
    "Jumlah nilai 5",
    "IKM (25–100)",
];

/// Rows of one group's figures; none when the group is too small to show.
fn figure_rows(part: &str, speaker: &str, f: &FormFigures) -> Vec<Vec<String>> {
    if !f.shown {
        return Vec::new();
    }
    let mut rows: Vec<Vec<String>> = f
        .questions
        .iter()
        .map(|q| {
            let mut row = vec![part.to_string(), speaker.to_string(), q.text.clone(), q.answered.to_string()];
            row.push(q.mean.map(|m| format!("{m:.2}")).unwrap_or_default());
            row.extend((0..5).map(|i| q.counts.get(i).map(usize::to_string).unwrap_or_default()));
            row.push(String::new());
            row
        })
        .collect();
    if let Some(ikm) = f.ikm {
        let mut row = vec![part.to_string(), speaker.to_string(), "IKM".to_string(), f.responses.to_string()];
        row.extend(std::iter::repeat_n(String::new(), 6));
        row.push(format!("{ikm:.2}"));
        rows.push(row);
    }
    rows
}

impl Report {
    /// The report's figures as export rows ([`EXPORT_COLUMNS`]): every group shown, no open
    /// answer, no group smaller than the minimum.
    pub fn export_rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for f in &self.forms {
            rows.extend(figure_rows(&f.title, "", f));
        }
        for s in &self.speakers {
            rows.extend(figure_rows(&s.figures.title, &s.name, &s.figures));
        }
        rows
    }
}

/// `form`'s figures per narasumber: the answers that rated them (the narasumber is kept with each
/// answer, so changing a session's speaker afterwards moves no answer from one group to another),
/// with the sessions they now speak at for the response rate.
async fn speaker_figures<C: ConnectionTrait>(
    db: &C,
    form: &Form,
    sessions: &[diklat_session::Model],
    answers: &[evaluation_answer::Model],
    min_group: usize,
) -> Result<Vec<SpeakerFigures>, AppError> {
    let mut by_speaker: BTreeMap<i32, Vec<&diklat_session::Model>> = BTreeMap::new();
    for s in sessions {
        if let Some(n) = s.narasumber_id {
            by_speaker.entry(n).or_default().push(s);
        }
    }
    for n in answers.iter().filter(|a| a.form_id == form.id).filter_map(|a| a.narasumber_id) {
        by_speaker.entry(n).or_default();
    }
    let people: HashMap<i32, narasumber::Model> = narasumber::Entity::find()
        .filter(narasumber::Column::Id.is_in(by_speaker.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
    let attended_count: HashMap<i32, usize> = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|a| attended(&a.status))
        .fold(HashMap::new(), |mut m, a| {
            *m.entry(a.diklat_session_id).or_insert(0) += 1;
            m
        });
    let mut out = Vec::new();
    for (id, own) in by_speaker {
        let theirs: Vec<evaluation_answer::Model> =
            answers.iter().filter(|a| a.narasumber_id == Some(id)).cloned().collect();
        let expected = own.iter().map(|s| attended_count.get(&s.id).copied().unwrap_or(0)).sum();
        let n = people.get(&id);
        out.push(SpeakerFigures {
            narasumber_id: id,
            name: n.map(|n| n.name.clone()).unwrap_or_default(),
            institution: n.map(|n| n.institution.clone()).unwrap_or_default(),
            sessions: own.iter().map(|s| format!("{} ({})", s.title, s.session_date.format("%d-%m-%Y"))).collect(),
            figures: figures(form, &theirs, expected, min_group),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The satisfaction index of each of `diklat_ids` over its organisation form (the first form
/// about the whole diklat on a 1–4 scale): (diklat, answers, index — none below `min_group`).
/// Only diklat whose evaluation has closed.
pub async fn satisfaction<C: ConnectionTrait>(
    db: &C,
    diklat_ids: &[i32],
    forms: &[Form],
    min_group: usize,
    now: DateTime<Utc>,
) -> Result<Vec<(i32, usize, Option<f64>)>, AppError> {
    let Some(form) = forms.iter().find(|f| f.scope == FormScope::Diklat && f.scale.is_ikm()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for &id in diklat_ids {
        let Some(d) = diklat::Entity::find_by_id(id).one(db).await? else { continue };
        if !is_closed(&d, now) {
            continue;
        }
        let answers = evaluation_answer::Entity::find()
            .filter(evaluation_answer::Column::DiklatId.eq(id))
            .filter(evaluation_answer::Column::FormId.eq(form.id.as_str()))
            .all(db)
            .await?;
        if answers.is_empty() {
            continue;
        }
        let f = figures(form, &answers, 0, min_group);
        out.push((id, f.responses, f.ikm));
    }
    Ok(out)
}

/// A narasumber's figures across every diklat the caller manages (for choosing speakers for the
/// next angkatan): one row per diklat with at least one of their sessions.
pub async fn speaker_across<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
    narasumber_id: i32,
    forms: &[Form],
    min_group: usize,
    now: DateTime<Utc>,
) -> Result<(narasumber::Model, Vec<(diklat::Model, SpeakerFigures)>), AppError> {
    let n = narasumber::Entity::find_by_id(narasumber_id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(form) = forms.iter().find(|f| f.scope == FormScope::Session) else { return Ok((n, Vec::new())) };
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::NarasumberId.eq(narasumber_id))
        .order_by_asc(diklat_session::Column::SessionDate)
        .all(db)
        .await?;
    let rated = evaluation_answer::Entity::find()
        .filter(evaluation_answer::Column::NarasumberId.eq(narasumber_id))
        .all(db)
        .await?;
    let mut diklat_ids: Vec<i32> =
        sessions.iter().map(|s| s.diklat_id).chain(rated.iter().map(|a| a.diklat_id)).collect();
    diklat_ids.sort_unstable();
    diklat_ids.dedup();
    let mut out = Vec::new();
    for id in diklat_ids {
        let Ok(d) = super::schedule::managed(db, scopes, id).await else { continue };
        let gate = if is_closed(&d, now) { min_group } else { usize::MAX };
        let own: Vec<diklat_session::Model> = sessions.iter().filter(|s| s.diklat_id == id).cloned().collect();
        let answers: Vec<evaluation_answer::Model> = rated.iter().filter(|a| a.diklat_id == id).cloned().collect();
        let groups = speaker_figures(db, form, &own, &answers, gate).await?;
        if let Some(f) = groups.into_iter().find(|g| g.narasumber_id == narasumber_id) {
            out.push((d, f));
        }
    }
    Ok((n, out))
}
