//! Which forms a diklat asks for, and which a participant still has to fill in.

use crate::auth::{Caller, Scope};
use crate::entities::{
    attendance, diklat, diklat_session, enrolment, evaluation_draft, evaluation_responder, evaluation_setting,
    narasumber,
};
use crate::evaluation::{Form, Scope as FormScope};
use crate::services::audit;
use crate::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

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
    let d = crate::services::schedule::managed(db, scopes, diklat_id).await?;
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
    crate::services::stale::mark_stale(&txn, d.id).await?;
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

pub(super) fn attended(status: types::Attendance) -> bool {
    matches!(status, types::Attendance::Hadir | types::Attendance::Terlambat)
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
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
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
        let started =
            |s: &diklat_session::Model| crate::services::clock::wib_instant(s.session_date, s.starts_at) <= now;
        let marks: HashMap<i32, types::Attendance> = attendance::Entity::find()
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
                        s.narasumber_id.is_some() && started(s) && marks.get(&s.id).is_some_and(|&m| attended(m))
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
pub(super) async fn due_one<C: ConnectionTrait>(
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
