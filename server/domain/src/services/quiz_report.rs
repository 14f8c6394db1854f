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

/// A kelurahan's participants summed up.
#[derive(Clone, Debug, PartialEq)]
pub struct VillageSummary {
    pub village: String,
    pub people: usize,
    /// How many took the pre-test / the post-test.
    pub took_pre: usize,
    pub took_post: usize,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub gain: Option<f64>,
    pub passed: usize,
}

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
async fn finished_attempts<C: ConnectionTrait>(
    db: &C,
    quiz_id: i32,
    people: &[i32],
) -> Result<HashMap<i32, Vec<attempt::Model>>, AppError> {
    let mut out: HashMap<i32, Vec<attempt::Model>> = HashMap::new();
    for chunk in people.chunks(500) {
        for a in attempt::Entity::find()
            .filter(attempt::Column::QuizId.eq(quiz_id))
            .filter(attempt::Column::PersonId.is_in(chunk.to_vec()))
            .filter(attempt::Column::Status.ne("in_progress"))
            .all(db)
            .await?
        {
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
    let people = schedule::enrolled(db, diklat_id).await?;
    let ids: Vec<i32> = people.iter().map(|p| p.person_id).collect();
    let pre_quiz = quizzes::quiz_of(db, module_id, quizzes::Phase::Pre).await?;
    let post_quiz = quizzes::quiz_of(db, module_id, quizzes::Phase::Post).await?;
    let pre = finished_attempts(db, pre_quiz.id, &ids).await?;
    let post = finished_attempts(db, post_quiz.id, &ids).await?;
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

/// Item analysis of a quiz over the finished attempts of `people`.
pub async fn item_analysis<C: ConnectionTrait>(
    db: &C,
    quiz_id: i32,
    people: &[i32],
) -> Result<Vec<ItemStat>, AppError> {
    let attempts: Vec<attempt::Model> = finished_attempts(db, quiz_id, people).await?.into_values().flatten().collect();
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
    let by_attempt: HashMap<(i64, i32), &attempt_answer::Model> =
        answers.iter().map(|a| ((a.attempt_id, a.question_id), a)).collect();
    // Rank attempts by score for the top and bottom groups.
    let mut ranked: Vec<&attempt::Model> = attempts.iter().collect();
    ranked.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)));
    let group = (ranked.len() as f64 * 0.27).round() as usize;
    let top: std::collections::HashSet<i64> = ranked.iter().take(group).map(|a| a.id).collect();
    let bottom: std::collections::HashSet<i64> = ranked.iter().rev().take(group).map(|a| a.id).collect();
    let mut drawn: HashMap<i32, Vec<i64>> = HashMap::new();
    for a in &attempts {
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
