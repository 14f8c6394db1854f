//! Quiz results for panitia: pre/post scores and gain per participant of a diklat, and item
//! analysis (facility, discrimination, how often each option is chosen) to spot bad questions.

use crate::{
    entities::{attempt, attempt_answer, question},
    quiz::{Key, Response},
    services::{quizzes, schedule},
    AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct PersonResult {
    pub person_id: i32,
    pub name: String,
    pub village: String,
    pub kkmp: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub passed_post: bool,
}

impl PersonResult {
    pub fn gain(&self) -> Option<f64> {
        Some(self.post? - self.pre?)
    }
}

pub const RESULT_HEADERS: &[&str] =
    &["Nama", "KKMP", "Kelurahan", "Tes awal", "Tes akhir", "Peningkatan", "Lulus tes akhir"];

fn score(s: Option<f64>) -> String {
    s.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// One row per participant, as exported.
pub fn result_table(rows: &[PersonResult]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.kkmp.clone(),
                r.village.clone(),
                score(r.pre),
                score(r.post),
                score(r.gain()),
                if r.passed_post { "ya" } else { "belum" }.to_string(),
            ]
        })
        .collect()
}

pub use types::views::VillageSummary;

/// The mean to one decimal, `None` for nobody.
pub fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| (v.iter().sum::<f64>() / v.len() as f64 * 10.0).round() / 10.0)
}

/// Results per kelurahan, by name.
pub fn by_village(rows: &[PersonResult]) -> Vec<VillageSummary> {
    let mut groups: std::collections::BTreeMap<&str, Vec<&PersonResult>> = Default::default();
    for r in rows {
        groups.entry(r.village.as_str()).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(village, list)| {
            let pre: Vec<f64> = list.iter().filter_map(|r| r.pre).collect();
            let post: Vec<f64> = list.iter().filter_map(|r| r.post).collect();
            let gain: Vec<f64> = list.iter().filter_map(|r| r.gain()).collect();
            VillageSummary {
                village: village.to_string(),
                people: list.len(),
                took_pre: pre.len(),
                took_post: post.len(),
                pre: mean(&pre),
                post: mean(&post),
                gain: mean(&gain),
                passed: list.iter().filter(|r| r.passed_post).count(),
            }
        })
        .collect()
}

pub const VILLAGE_HEADERS: &[&str] = &[
    "Kelurahan",
    "Peserta",
    "Ikut tes awal",
    "Ikut tes akhir",
    "Rata-rata tes awal",
    "Rata-rata tes akhir",
    "Rata-rata peningkatan",
    "Lulus tes akhir",
];

pub fn village_table(rows: &[VillageSummary]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|v| {
            vec![
                v.village.clone(),
                v.people.to_string(),
                v.took_pre.to_string(),
                v.took_post.to_string(),
                score(v.pre),
                score(v.post),
                score(v.gain),
                v.passed.to_string(),
            ]
        })
        .collect()
}

/// Finished attempts of `people` at `quiz_id`, by person.
/// The finished attempts at `quiz_id` of `people` that count for the diklat `d`: taken for it,
/// and (a post-test) submitted before its closing day ended.
async fn finished_attempts<C: ConnectionTrait>(
    db: &C,
    quiz_id: i32,
    d: &crate::entities::diklat::Model,
    people: &[i32],
) -> Result<HashMap<i32, Vec<attempt::Model>>, AppError> {
    let closed_from = crate::services::windows::closed_from(d);
    let mut out: HashMap<i32, Vec<attempt::Model>> = HashMap::new();
    for chunk in people.chunks(500) {
        for a in attempt::Entity::find()
            .filter(attempt::Column::QuizId.eq(quiz_id))
            .filter(attempt::Column::DiklatId.eq(d.id))
            .filter(attempt::Column::PersonId.is_in(chunk.to_vec()))
            .filter(attempt::Column::Status.ne(types::AttemptStatus::InProgress))
            .all(db)
            .await?
        {
            if a.submitted_at.is_some_and(|t| t >= closed_from) {
                continue;
            }
            out.entry(a.person_id).or_default().push(a);
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|a| a.attempt_no);
    }
    Ok(out)
}

/// Every enrolled participant's pre-test and post-test grade for one module.
pub async fn results<C: ConnectionTrait>(
    db: &C,
    diklat_id: i32,
    module_id: i32,
) -> Result<Vec<PersonResult>, AppError> {
    let d = crate::entities::diklat::Entity::find_by_id(diklat_id).one(db).await?.ok_or(AppError::NotFound)?;
    let people = schedule::enrolled(db, diklat_id).await?;
    let ids: Vec<i32> = people.iter().map(|p| p.person_id).collect();
    let pre_quiz = quizzes::quiz_of(db, module_id, quizzes::Phase::Pre).await?;
    let post_quiz = quizzes::quiz_of(db, module_id, quizzes::Phase::Post).await?;
    let pre = finished_attempts(db, pre_quiz.id, &d, &ids).await?;
    let post = finished_attempts(db, post_quiz.id, &d, &ids).await?;
    Ok(people
        .into_iter()
        .map(|p| {
            let post_score = post.get(&p.person_id).and_then(|a| quizzes::final_score(&post_quiz.grading_method, a));
            PersonResult {
                person_id: p.person_id,
                pre: pre.get(&p.person_id).and_then(|a| quizzes::final_score(&pre_quiz.grading_method, a)),
                post: post_score,
                passed_post: post_score.is_some_and(|s| s >= f64::from(post_quiz.pass_mark)),
                name: p.name,
                village: p.village,
                kkmp: p.cooperative,
            }
        })
        .collect())
}

/// One question's statistics over the finished attempts that drew it.
#[derive(Clone, Debug)]
pub struct ItemStat {
    pub ext_id: String,
    pub html: String,
    /// Attempts that drew the question.
    pub n: usize,
    /// Mean credit, 0–1 (share correct).
    pub facility: f64,
    /// Mean credit of the top 27 % of attempts (by score) minus that of the bottom 27 %; none below 10 attempts.
    pub discrimination: Option<f64>,
    /// For choice questions: (option html, correct, times chosen).
    pub options: Vec<(String, bool, usize)>,
}

/// The finished attempts of a quiz by `people` in a diklat, with their stored answers: read once
/// for both the item analysis and the reliability estimate.
pub struct Finished {
    pub attempts: Vec<attempt::Model>,
    pub answers: Vec<attempt_answer::Model>,
}

/// [`Finished`] of `quiz_id` for `people` in the diklat `d`.
pub async fn finished<C: ConnectionTrait>(
    db: &C,
    quiz_id: i32,
    d: &crate::entities::diklat::Model,
    people: &[i32],
) -> Result<Finished, AppError> {
    let attempts: Vec<attempt::Model> =
        finished_attempts(db, quiz_id, d, people).await?.into_values().flatten().collect();
    let ids: Vec<i64> = attempts.iter().map(|a| a.id).collect();
    let mut answers: Vec<attempt_answer::Model> = Vec::new();
    for chunk in ids.chunks(500) {
        answers.extend(
            attempt_answer::Entity::find()
                .filter(attempt_answer::Column::AttemptId.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    Ok(Finished { attempts, answers })
}

/// Item analysis of a quiz over its [`Finished`] attempts.
pub async fn item_analysis<C: ConnectionTrait>(db: &C, finished: &Finished) -> Result<Vec<ItemStat>, AppError> {
    let Finished { attempts, answers } = finished;
    let by_attempt: HashMap<(i64, i32), &attempt_answer::Model> =
        answers.iter().map(|a| ((a.attempt_id, a.question_id), a)).collect();
    // Rank attempts by score for the top and bottom groups.
    let mut ranked: Vec<&attempt::Model> = attempts.iter().collect();
    ranked.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)));
    let group = (ranked.len() as f64 * 0.27).round() as usize;
    let top: std::collections::HashSet<i64> = ranked.iter().take(group).map(|a| a.id).collect();
    let bottom: std::collections::HashSet<i64> = ranked.iter().rev().take(group).map(|a| a.id).collect();
    let mut drawn: HashMap<i32, Vec<i64>> = HashMap::new();
    for a in attempts {
        for slot in quizzes::layout_of(a) {
            drawn.entry(slot.q).or_default().push(a.id);
        }
    }
    let questions = question::Entity::find()
        .filter(question::Column::Id.is_in(drawn.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for q in questions {
        let seen = &drawn[&q.id];
        let credit = |attempt_id: i64| by_attempt.get(&(attempt_id, q.id)).and_then(|a| a.fraction).unwrap_or(0.0);
        let mean = |set: &mut dyn Iterator<Item = i64>| {
            let v: Vec<f64> = set.map(credit).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        let facility = mean(&mut seen.iter().copied()).unwrap_or(0.0);
        let discrimination = if seen.len() >= 10 {
            match (
                mean(&mut seen.iter().copied().filter(|id| top.contains(id))),
                mean(&mut seen.iter().copied().filter(|id| bottom.contains(id))),
            ) {
                (Some(t), Some(b)) => Some(t - b),
                _ => None,
            }
        } else {
            None
        };
        let key: Option<Key> = serde_json::from_str::<serde_json::Value>(&q.data)
            .ok()
            .and_then(|v| serde_json::from_value(v["key"].clone()).ok());
        let options = match key {
            Some(Key::Choices(choices)) => {
                let mut counts = vec![0usize; choices.len()];
                for attempt_id in seen {
                    if let Some(Ok(Response::Choices(chosen))) =
                        by_attempt.get(&(*attempt_id, q.id)).map(|a| serde_json::from_str::<Response>(&a.response))
                    {
                        for i in chosen {
                            if let Some(n) = counts.get_mut(i) {
                                *n += 1;
                            }
                        }
                    }
                }
                choices.into_iter().zip(counts).map(|(c, n)| (c.html, c.correct, n)).collect()
            }
            _ => vec![],
        };
        out.push(ItemStat { ext_id: q.ext_id, html: q.body, n: seen.len(), facility, discrimination, options });
    }
    out.sort_by(|a, b| a.ext_id.cmp(&b.ext_id));
    Ok(out)
}

/// How consistently a test measures: coefficient alpha (Cronbach, 1951) over the *positions* of
/// the drawn questions. Each attempt draws its questions at random from the bank (parallel forms,
/// `quizzes::draw_form`), so no two people answer the same items: the positions are the
/// "randomly parallel" items of Lord & Novick (1968, ch. 11), and alpha over them estimates the
/// reliability of a randomly drawn form. Partial credit counts as its fraction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reliability {
    pub alpha: f64,
    /// Finished attempts the estimate rests on.
    pub attempts: usize,
}

/// Fewest finished attempts for a reliability estimate.
pub const MIN_ATTEMPTS_FOR_RELIABILITY: usize = 10;

/// [`Reliability`] of a quiz over its [`Finished`] attempts; `None` with fewer than
/// [`MIN_ATTEMPTS_FOR_RELIABILITY`] attempts or no spread in their scores.
pub fn reliability(finished: &Finished) -> Option<Reliability> {
    let credit: HashMap<(i64, i32), f64> =
        finished.answers.iter().map(|a| ((a.attempt_id, a.question_id), a.fraction.unwrap_or(0.0))).collect();
    let rows: Vec<Vec<f64>> = finished
        .attempts
        .iter()
        .map(|a| (a.id, quizzes::layout_of(a)))
        .filter(|(_, layout)| !layout.is_empty())
        .map(|(id, layout)| layout.iter().map(|s| credit.get(&(id, s.q)).copied().unwrap_or(0.0)).collect())
        .collect();
    cronbach_alpha(&rows).map(|alpha| Reliability { alpha, attempts: rows.len() })
}

/// Coefficient alpha of `rows` (one row of item scores per person); `None` with too few rows,
/// fewer than two items, or no variance in the totals.
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Option<f64> {
    if rows.len() < MIN_ATTEMPTS_FOR_RELIABILITY {
        return None;
    }
    let k = rows.iter().map(Vec::len).min()?;
    if k < 2 {
        return None;
    }
    let variance = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let item_variances: f64 = (0..k).map(|i| variance(&rows.iter().map(|r| r[i]).collect::<Vec<_>>())).sum();
    let totals: Vec<f64> = rows.iter().map(|r| r[..k].iter().sum()).collect();
    let total_variance = variance(&totals);
    (total_variance > 0.0).then(|| k as f64 / (k as f64 - 1.0) * (1.0 - item_variances / total_variance))
}

/// Per objective of a module (1-based, as tagged): the mean credit (0–1) of the pre-test and of
/// the post-test questions measuring it, over the finished attempts of `people` in `d` — which
/// objectives the diklat improved.
pub async fn objective_gains<C: ConnectionTrait>(
    db: &C,
    module_id: i32,
    d: &crate::entities::diklat::Model,
    people: &[i32],
) -> Result<Vec<(i32, Option<f64>, Option<f64>)>, AppError> {
    use crate::entities::question;
    let mut means: Vec<HashMap<i32, (f64, usize)>> = Vec::new();
    for phase in [quizzes::Phase::Pre, quizzes::Phase::Post] {
        let q = quizzes::quiz_of(db, module_id, phase).await?;
        let attempts: Vec<attempt::Model> =
            finished_attempts(db, q.id, d, people).await?.into_values().flatten().collect();
        let mut sums: HashMap<i32, (f64, usize)> = HashMap::new();
        for chunk in attempts.chunks(500) {
            let ids: Vec<i64> = chunk.iter().map(|a| a.id).collect();
            let answers =
                attempt_answer::Entity::find().filter(attempt_answer::Column::AttemptId.is_in(ids)).all(db).await?;
            let credit: HashMap<(i64, i32), f64> =
                answers.into_iter().map(|a| ((a.attempt_id, a.question_id), a.fraction.unwrap_or(0.0))).collect();
            let drawn: Vec<(i64, i32)> =
                chunk.iter().flat_map(|a| quizzes::layout_of(a).into_iter().map(move |s| (a.id, s.q))).collect();
            let question_ids: Vec<i32> =
                drawn.iter().map(|(_, q)| *q).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let objectives: HashMap<i32, i32> = question::Entity::find()
                .filter(question::Column::Id.is_in(question_ids))
                .all(db)
                .await?
                .into_iter()
                .filter_map(|q| q.objective.map(|o| (q.id, o)))
                .collect();
            for (attempt_id, qid) in drawn {
                let Some(o) = objectives.get(&qid) else { continue };
                let e = sums.entry(*o).or_default();
                e.0 += credit.get(&(attempt_id, qid)).copied().unwrap_or(0.0);
                e.1 += 1;
            }
        }
        means.push(sums);
    }
    let mut objectives: Vec<i32> = means.iter().flat_map(|m| m.keys().copied()).collect();
    objectives.sort_unstable();
    objectives.dedup();
    let mean = |m: &HashMap<i32, (f64, usize)>, o: i32| m.get(&o).filter(|(_, n)| *n > 0).map(|(s, n)| s / *n as f64);
    Ok(objectives.into_iter().map(|o| (o, mean(&means[0], o), mean(&means[1], o))).collect())
}

#[cfg(test)]
mod reliability_tests {
    use super::cronbach_alpha;

    #[test]
    fn alpha_matches_a_hand_computed_example() {
        // Ten people, three items (0/1), each right five times: item variances 10/9 × 0.25 =
        // 0.2778 each (sum 0.8333); totals 3,3,2,2,2,1,1,1,0,0: variance 10.5/9 = 1.1667;
        // alpha = 3/2 × (1 − 0.8333/1.1667) = 0.4286.
        let rows: Vec<Vec<f64>> = [
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 0.0],
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 1.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
        ]
        .iter()
        .map(|r| r.to_vec())
        .collect();
        let alpha = cronbach_alpha(&rows).unwrap();
        assert!((alpha - 0.4286).abs() < 0.001, "{alpha}");
        assert_eq!(cronbach_alpha(&rows[..9]), None, "too few attempts");
    }
}
