//! Attempts: which quiz, the form drawn for a participant, starting one, reading one's own.

use super::bank::LoadedBank;
use super::{grading::finish_if_late, questions::*, Phase};
use crate::{
    entities::{attempt, quiz},
    quiz::{Key, Response},
    AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};

/// A module's default quiz for a phase.
pub async fn quiz_of<C: ConnectionTrait>(db: &C, module_id: i32, phase: Phase) -> Result<quiz::Model, AppError> {
    quiz::Entity::find()
        .filter(quiz::Column::ModuleId.eq(module_id))
        .filter(quiz::Column::Kind.eq(phase))
        .filter(quiz::Column::DiklatId.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// A person's attempts at a quiz, oldest first.
pub async fn attempts_of<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    quiz_id: i32,
) -> Result<Vec<attempt::Model>, AppError> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person_id))
        .filter(attempt::Column::QuizId.eq(quiz_id))
        .order_by_asc(attempt::Column::AttemptNo)
        .all(db)
        .await?)
}

/// The grade that counts, by the quiz's grading method, over finished attempts.
pub fn final_score(method: &str, attempts: &[attempt::Model]) -> Option<f64> {
    let scores: Vec<f64> = attempts.iter().filter(|a| !a.status.is_open()).filter_map(|a| a.score).collect();
    match method {
        "last" => scores.last().copied(),
        "first" => scores.first().copied(),
        "average" if !scores.is_empty() => Some(scores.iter().sum::<f64>() / scores.len() as f64),
        _ => scores.iter().copied().reduce(f64::max),
    }
}

/// A person's attempts at a quiz taken for one diklat, oldest first.
pub async fn attempts_in<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    quiz_id: i32,
    diklat_id: i32,
) -> Result<Vec<attempt::Model>, AppError> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person_id))
        .filter(attempt::Column::QuizId.eq(quiz_id))
        .filter(attempt::Column::DiklatId.eq(diklat_id))
        .order_by_asc(attempt::Column::AttemptNo)
        .all(db)
        .await?)
}

/// The questions `person_id` has been shown in any pre-test of `module_id`: what their post-tests
/// never draw, so the pre-test cannot leak the post-test's key.
pub async fn seen_in_pretests<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    module_id: i32,
) -> Result<std::collections::HashSet<i32>, AppError> {
    let pre = quiz_of(db, module_id, Phase::Pre).await?;
    Ok(attempts_of(db, person_id, pre.id).await?.iter().flat_map(|a| layout_of(a).into_iter().map(|s| s.q)).collect())
}

/// Draws a form of `count` questions from `pool` (question id, objective), leaving out
/// `exclude`: spread as evenly as the pool allows over the objectives, so two forms drawn from
/// one bank measure the same things (parallel forms). Without `shuffle`, the bank's order.
/// Never returns an excluded question, even when that makes the form shorter.
pub fn draw_form(
    pool: &[(i32, Option<i32>)],
    count: usize,
    exclude: &std::collections::HashSet<i32>,
    shuffle: bool,
    rng: &mut impl rand::Rng,
) -> Vec<i32> {
    use rand::seq::SliceRandom;
    let open: Vec<(i32, Option<i32>)> = pool.iter().copied().filter(|(q, _)| !exclude.contains(q)).collect();
    if !shuffle {
        return open.into_iter().take(count).map(|(q, _)| q).collect();
    }
    let mut groups: std::collections::BTreeMap<Option<i32>, Vec<i32>> = Default::default();
    for (q, objective) in open {
        groups.entry(objective).or_default().push(q);
    }
    let mut groups: Vec<Vec<i32>> = groups.into_values().collect();
    for g in &mut groups {
        g.shuffle(rng);
    }
    groups.shuffle(rng);
    let mut drawn = Vec::with_capacity(count);
    while drawn.len() < count && groups.iter().any(|g| !g.is_empty()) {
        for g in &mut groups {
            if drawn.len() == count {
                break;
            }
            if let Some(q) = g.pop() {
                drawn.push(q);
            }
        }
    }
    drawn.shuffle(rng);
    drawn
}

/// Starts an attempt for the diklat `diklat_id` (or returns the one in progress there). Refused
/// once that diklat's attempts are used up. A post-test draws none of the questions the person
/// saw in their pre-tests of the module; both are spread over the module's objectives.
pub async fn start<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    cache: &QuestionCache,
    person_id: i32,
    q: &quiz::Model,
    bank: &LoadedBank,
    diklat_id: i32,
    now: DateTime<Utc>,
) -> Result<attempt::Model, AppError> {
    use rand::{seq::SliceRandom, SeedableRng};
    let txn = db.begin().await?;
    let previous = attempts_in(&txn, person_id, q.id, diklat_id).await?;
    if let Some(open) = previous.iter().find(|a| a.status.is_open()) {
        let open = open.clone();
        drop(txn);
        return finish_if_late(db, cache, open, now).await;
    }
    if previous.len() >= q.max_attempts as usize {
        return Err(AppError::invalid(
            "Percobaan",
            format!("Kesempatan mengerjakan sudah habis ({} kali).", q.max_attempts),
            format!("You have used all your attempts ({}).", q.max_attempts),
        ));
    }
    let numbered = attempts_of(&txn, person_id, q.id).await?.len();
    // A Send generator: the draw spans awaits.
    let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
    let stored = cache.get(&txn, &bank.questions).await?;
    let pool: Vec<(i32, Option<i32>)> =
        bank.questions.iter().map(|id| (*id, stored.get(id).and_then(|l| l.model.objective))).collect();
    let exclude =
        if q.kind == Phase::Post { seen_in_pretests(&txn, person_id, q.module_id).await? } else { Default::default() };
    let drawn = draw_form(&pool, q.question_count.max(1) as usize, &exclude, q.shuffle_questions, &mut rng);
    if drawn.is_empty() {
        return Err(AppError::invalid(
            "Percobaan",
            "Bank soal modul ini belum cukup untuk tes ini. Hubungi panitia.",
            "This module's question bank does not have enough questions for this test yet. Contact the organisers.",
        ));
    }
    let layout: Vec<Slot> = drawn
        .iter()
        .map(|id| {
            let options = match stored.get(id).map(|q| &q.key) {
                Some(Key::Choices(c)) => c.len(),
                _ => 0,
            };
            let mut o: Vec<usize> = (0..options).collect();
            if q.shuffle_options {
                o.shuffle(&mut rng);
            }
            Slot { q: *id, o }
        })
        .collect();
    let row = attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person_id),
        attempt_no: Set(numbered as i32 + 1),
        bank_id: Set(bank.bank_id),
        started_at: Set(now),
        deadline_at: Set(q.time_limit_seconds.map(|s| now + Duration::seconds(i64::from(s)))),
        submitted_at: Set(None),
        status: Set(types::AttemptStatus::InProgress),
        score: Set(None),
        passed: Set(None),
        layout: Set(serde_json::to_string(&layout).expect("a layout serialises")),
        diklat_id: Set(Some(diklat_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await
    // Two starts at once: the unique (quiz, person, attempt_no) lets one through.
    .map_err(|e| {
        AppError::on_unique(
            e,
            "Percobaan",
            "Percobaan sudah dimulai; muat ulang halaman.",
            "The attempt has already started; reload the page.",
        )
    })?;
    txn.commit().await?;
    Ok(row)
}

/// The quiz of an attempt and its module.
pub async fn quiz_and_module<C: ConnectionTrait>(
    db: &C,
    a: &attempt::Model,
) -> Result<(quiz::Model, crate::entities::module::Model), AppError> {
    let q = quiz::Entity::find_by_id(a.quiz_id).one(db).await?.ok_or(AppError::NotFound)?;
    let m = crate::entities::module::Entity::find_by_id(q.module_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((q, m))
}

/// The caller's own attempt (anyone else's is NotFound).
pub async fn own_attempt<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    attempt_id: i64,
) -> Result<attempt::Model, AppError> {
    attempt::Entity::find_by_id(attempt_id)
        .one(db)
        .await?
        .filter(|a| a.person_id == person_id)
        .ok_or(AppError::NotFound)
}

/// The caller's attempt `attempt_id` and the answers a posted attempt form holds for it (the
/// form handler and the autosave server function both read a form this way).
pub async fn posted_answers<C: ConnectionTrait>(
    db: &C,
    cache: &QuestionCache,
    person_id: i32,
    attempt_id: i64,
    fields: &[(String, String)],
) -> Result<(attempt::Model, Vec<(i32, Response)>), AppError> {
    let a = own_attempt(db, person_id, attempt_id).await?;
    let kinds = kinds_of(db, cache, &a).await?;
    let responses = read_answers(fields, &kinds);
    Ok((a, responses))
}

#[cfg(test)]
mod form_tests {
    use super::draw_form;
    use rand::SeedableRng;
    use std::collections::{BTreeMap, HashSet};

    /// 40 questions, eight per objective (as the banks are written).
    fn pool() -> Vec<(i32, Option<i32>)> {
        (0..40).map(|i| (i, Some(i % 5 + 1))).collect()
    }

    fn per_objective(pool: &[(i32, Option<i32>)], drawn: &[i32]) -> BTreeMap<Option<i32>, usize> {
        let mut out = BTreeMap::new();
        for q in drawn {
            *out.entry(pool.iter().find(|(id, _)| id == q).unwrap().1).or_default() += 1;
        }
        out
    }

    #[test]
    fn two_forms_cover_every_objective_alike_and_the_second_repeats_nothing_of_the_first() {
        let pool = pool();
        for seed in 0..50 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let first = draw_form(&pool, 10, &HashSet::new(), true, &mut rng);
            let seen: HashSet<i32> = first.iter().copied().collect();
            let second = draw_form(&pool, 10, &seen, true, &mut rng);
            assert_eq!((first.len(), second.len()), (10, 10));
            assert!(second.iter().all(|q| !seen.contains(q)), "seed {seed}");
            for form in [&first, &second] {
                let counts = per_objective(&pool, form);
                assert_eq!(counts.len(), 5, "every objective, seed {seed}: {counts:?}");
                assert!(counts.values().all(|n| *n == 2), "two each, seed {seed}: {counts:?}");
            }
        }
    }

    #[test]
    fn a_form_is_never_padded_with_a_question_already_seen() {
        let pool = pool();
        let seen: HashSet<i32> = (0..35).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let form = draw_form(&pool, 10, &seen, true, &mut rng);
        assert_eq!(form.len(), 5, "only the five unseen ones");
        assert!(form.iter().all(|q| !seen.contains(q)));
    }
}
