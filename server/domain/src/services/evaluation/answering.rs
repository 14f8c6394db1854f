//! Filling a form in: opened, kept as a draft, sent once; what a certificate still waits for.

use super::settings::{answer_id, attended, due_one, settings, Due, WHOLE_DIKLAT};
use crate::entities::{attendance, diklat, diklat_session, evaluation_answer, evaluation_draft, evaluation_responder};
use crate::evaluation::{Form, Kind};
use crate::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    crate::services::windows::close_on(d)
}

pub fn is_closed(d: &diklat::Model, now: DateTime<Utc>) -> bool {
    crate::services::clock::today_wib(now) > closes_on(d)
}

/// The form as `person_id` may still fill it in: due to them and not sent yet.
pub(super) async fn unsent<C: ConnectionTrait>(
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

pub(super) fn already_sent() -> AppError {
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
    crate::services::stale::mark_stale(&txn, key.0).await?;
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
        if attended(a.status) {
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
