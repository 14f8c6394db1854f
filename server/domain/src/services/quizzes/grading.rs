//! Saving answers and submitting: held while open, graded once, late attempts closed.

use super::{questions::*, Phase};
use crate::{
    entities::{attempt, attempt_answer, quiz},
    quiz::{grade_key, Kind, Response},
    AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession, TransactionTrait,
};
use std::collections::HashMap;
use types::AttemptStatus;

/// Submits an attempt whose deadline has passed (with what was saved), and returns it.
pub(super) async fn finish_if_late<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    a: attempt::Model,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    match a.deadline_at {
        Some(deadline) if a.status.is_open() && now > deadline => {
            grade_and_close(db, db, cache, a, Vec::new(), AttemptStatus::Expired, deadline).await
        }
        _ => Ok(a),
    }
}

/// Refuses responses to questions outside the attempt, or longer than a short answer can be.
pub(super) fn check_responses(a: &attempt::Model, responses: &[(i32, Response)]) -> Result<(), AppError> {
    let allowed: std::collections::HashSet<i32> = layout_of(a).into_iter().map(|s| s.q).collect();
    if responses.len() > allowed.len() || responses.iter().any(|(q, _)| !allowed.contains(q)) {
        return Err(AppError::invalid(
            "Jawaban",
            "Jawaban untuk soal yang bukan bagian percobaan ini.",
            "An answer to a question that is not part of this attempt.",
        ));
    }
    if responses.iter().any(|(_, r)| matches!(r, Response::Text(t) if t.chars().count() > 500)) {
        return Err(AppError::invalid(
            "Jawaban",
            "Jawaban terlalu panjang (paling banyak 500 huruf).",
            "The answer is too long (at most 500 characters).",
        ));
    }
    Ok(())
}

/// Writes responses (with their credit once graded) in one statement.
pub(super) async fn upsert_answers<C: ConnectionTrait>(
    db: &C,
    attempt_id: i64,
    rows: Vec<(i32, &Response, Option<f64>)>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.into_iter().map(|(question_id, response, fraction)| attempt_answer::ActiveModel {
        attempt_id: Set(attempt_id),
        question_id: Set(question_id),
        response: Set(serde_json::to_string(response).expect("a response serialises")),
        fraction: Set(fraction),
        saved_at: Set(now),
        ..Default::default()
    });
    attempt_answer::Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([attempt_answer::Column::AttemptId, attempt_answer::Column::QuestionId])
                .update_columns([
                    attempt_answer::Column::Response,
                    attempt_answer::Column::Fraction,
                    attempt_answer::Column::SavedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Saves responses to questions of an attempt already loaded with [`own_attempt`]. After the
/// deadline nothing is saved: the attempt is submitted with what it had, and the caller is told.
/// The write checks, in its own transaction, that the attempt is still open: an autosave that
/// races a submit never changes the answers that were graded.
pub async fn save<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    a: attempt::Model,
    responses: Vec<(i32, Response)>,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    let attempt_id = a.id;
    let a = finish_if_late(db, cache, a, now).await?;
    let closed = || {
        AppError::invalid(
            "Percobaan",
            "Percobaan ini sudah selesai; jawaban tidak diubah.",
            "This attempt has already finished; the answers were not changed.",
        )
    };
    if !a.status.is_open() {
        return Err(closed());
    }
    check_responses(&a, &responses)?;
    refuse_ambiguous_numbers(db, cache, &a, &responses).await?;
    let txn = db.begin().await?;
    if !hold_if_open(&txn, attempt_id).await? {
        return Err(closed());
    }
    upsert_answers(&txn, attempt_id, responses.iter().map(|(q, r)| (*q, r, None)).collect(), now).await?;
    txn.commit().await?;
    Ok(a)
}

/// Inside a write transaction: takes the attempt's row (PostgreSQL holds it to the end of the
/// transaction; on SQLite the transaction already has the single writer) and says whether the
/// attempt is still in progress. Saving and grading both go through it, so they take turns.
pub(super) async fn hold_if_open<C: ConnectionTrait>(txn: &C, attempt_id: i64) -> Result<bool, AppError> {
    let held = attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::col(attempt::Column::Status))
        .filter(attempt::Column::Id.eq(attempt_id))
        .filter(attempt::Column::Status.eq(AttemptStatus::InProgress))
        .exec(txn)
        .await?;
    Ok(held.rows_affected == 1)
}

/// Saves the last responses, grades and closes an attempt already loaded (and checked to be the
/// caller's), in one transaction. Submitting twice changes nothing and returns the first result;
/// after the deadline only what was saved before it counts. Reads go to `read`, the one short
/// write transaction to `write`.
pub async fn submit_attempt<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    cache: &QuestionCache,
    a: attempt::Model,
    responses: Vec<(i32, Response)>,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    if !a.status.is_open() {
        return Ok(a);
    }
    if let Some(deadline) = a.deadline_at.filter(|d| now > *d) {
        return grade_and_close(read, write, cache, a, Vec::new(), AttemptStatus::Expired, deadline).await;
    }
    check_responses(&a, &responses)?;
    refuse_ambiguous_numbers(read, cache, &a, &responses).await?;
    grade_and_close(read, write, cache, a, responses, AttemptStatus::Submitted, now).await
}

/// Refuses a typed number that reads two ways (`3.142`: three point one four two, or three
/// thousand one hundred forty-two), naming the question, so the participant writes it again
/// instead of being graded on a guess. (At the deadline there is nobody to ask: it counts wrong.)
pub(super) async fn refuse_ambiguous_numbers<R: ConnectionTrait>(
    read: &R,
    cache: &QuestionCache,
    a: &attempt::Model,
    responses: &[(i32, Response)],
) -> Result<(), AppError> {
    let typed: Vec<(i32, &str)> = responses
        .iter()
        .filter_map(|(q, r)| match r {
            Response::Text(t) => Some((*q, t.as_str())),
            _ => None,
        })
        .collect();
    if typed.is_empty() {
        return Ok(());
    }
    let layout = layout_of(a);
    let questions = cache.get(read, &typed.iter().map(|(q, _)| *q).collect::<Vec<_>>()).await?;
    for (q, text) in typed {
        let numeric = questions.get(&q).is_some_and(|l| l.kind == Kind::Numeric);
        if numeric && crate::quiz::read_number(text) == Err(crate::quiz::NumberError::Ambiguous) {
            let no = layout.iter().position(|s| s.q == q).map_or(0, |i| i + 1);
            return Err(AppError::invalid(
                format!("soal-{no}"),
                format!(
                    "Soal nomor {no}: \"{}\" dapat dibaca dua cara (titik sebagai desimal atau sebagai pemisah \
                     ribuan). Tulis ulang tanpa titik: pakai koma untuk desimal (contoh 3,142) atau tanpa pemisah \
                     (contoh 3142).",
                    text.trim()
                ),
                format!(
                    "Question {no}: \"{}\" can be read two ways (the dot as a decimal point or as a thousands \
                     separator). Write it again without the dot: use a comma for decimals (e.g. 3,142) or no \
                     separator (e.g. 3142).",
                    text.trim()
                ),
            ));
        }
    }
    Ok(())
}

pub(super) async fn grade_and_close<R: ConnectionTrait, W: ConnectionTrait + TransactionTrait>(
    read: &R,
    write: &W,
    cache: &QuestionCache,
    a: attempt::Model,
    new: Vec<(i32, Response)>,
    status: AttemptStatus,
    at: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    let layout = layout_of(&a);
    let ids: Vec<i32> = layout.iter().map(|s| s.q).collect();
    let questions = cache.get(read, &ids).await?;
    let quiz = quiz::Entity::find_by_id(a.quiz_id).one(read).await?.ok_or(AppError::NotFound)?;
    let txn = write.begin().await?;
    // Held from here to the commit, so no autosave can change the answers between the moment
    // they are read and graded and the moment the attempt is closed.
    if !hold_if_open(&txn, a.id).await? {
        drop(txn);
        // A concurrent submit got there first: its result stands.
        return attempt::Entity::find_by_id(a.id).one(write).await?.ok_or(AppError::NotFound);
    }
    // What was saved before (autosave, earlier pages), then what this request brings; when it
    // answers every question, nothing saved before can count.
    let mut responses: HashMap<i32, Response> = if ids.iter().all(|id| new.iter().any(|(q, _)| q == id)) {
        HashMap::new()
    } else {
        responses_of(&txn, a.id).await?.into_iter().map(|(q, (r, _))| (q, r)).collect()
    };
    responses.extend(new);
    let mut total = 0.0;
    let mut rows = Vec::new();
    for slot in &layout {
        let (Some(q), Some(r)) = (questions.get(&slot.q), responses.get(&slot.q)) else { continue };
        let fraction = grade_key(q.kind, &q.key, r);
        total += fraction;
        rows.push((slot.q, r, Some(fraction)));
    }
    let score = if layout.is_empty() { 0.0 } else { (total / layout.len() as f64 * 1000.0).round() / 10.0 };
    upsert_answers(&txn, a.id, rows, at).await?;
    // A pre-test measures where someone starts: it has a score, never a pass or a fail.
    let passed = (quiz.kind != Phase::Pre).then(|| score >= f64::from(quiz.pass_mark));
    attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::value(status))
        .col_expr(attempt::Column::SubmittedAt, Expr::value(at))
        .col_expr(attempt::Column::Score, Expr::value(score))
        .col_expr(attempt::Column::Passed, Expr::value(passed))
        .filter(attempt::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    crate::services::stale::mark_stale_for_person(&txn, a.person_id).await?;
    txn.commit().await?;
    let mut a = a;
    a.status = status;
    a.submitted_at = Some(at);
    a.score = Some(score);
    a.passed = passed;
    Ok(a)
}

/// A submitted attempt that holds only its score (no questions, no answers): results brought in
/// from elsewhere, as the demo's October results and the benchmarks write them, taken for
/// `diklat_id`.
pub fn scored_attempt(
    q: &quiz::Model,
    person_id: i32,
    bank_id: i32,
    score: f64,
    (started, submitted): (DateTime<Utc>, DateTime<Utc>),
    diklat_id: Option<i32>,
) -> attempt::ActiveModel {
    attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person_id),
        attempt_no: Set(1),
        bank_id: Set(bank_id),
        started_at: Set(started),
        submitted_at: Set(Some(submitted)),
        status: Set(AttemptStatus::Submitted),
        score: Set(Some(score)),
        passed: Set((q.kind != Phase::Pre).then(|| score >= f64::from(q.pass_mark))),
        layout: Set("[]".into()),
        diklat_id: Set(diklat_id),
        ..Default::default()
    }
}

/// The objectives (1-based, as tagged in the bank) behind the questions of a finished attempt
/// that were not fully right or not answered, in order: what to study.
pub async fn objectives_to_study<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<Vec<i32>, AppError> {
    let layout = layout_of(a);
    let questions = load_questions(db, layout.iter().map(|s| s.q).collect()).await?;
    let responses = responses_of(db, a.id).await?;
    let mut out: Vec<i32> = layout
        .iter()
        .filter(|s| responses.get(&s.q).and_then(|(_, f)| *f).is_none_or(|f| f < 1.0))
        .filter_map(|s| questions.get(&s.q).and_then(|l| l.model.objective))
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
