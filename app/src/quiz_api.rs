//! Server functions and DTOs for pre-tests and post-tests. Checking and grading live in
//! `domain::services::quizzes`; forms post to `server/src/routes/quiz.rs`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: i64,
    pub no: i32,
    pub status: types::AttemptStatus,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub started: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizOverview {
    pub slug: String,
    pub module_title: String,
    pub phase: types::Phase,
    pub question_count: i32,
    pub pass_mark: i32,
    pub max_attempts: i32,
    pub time_limit_minutes: Option<i32>,
    pub grading: String,
    pub attempts: Vec<AttemptSummary>,
    pub in_progress: Option<i64>,
    pub can_start: bool,
    pub final_score: Option<f64>,
    /// Post-test minus pre-test (final scores), once both exist.
    pub gain: Option<f64>,
    /// The caller may change the settings (admin); with the bank's size and the shuffles.
    pub can_configure: bool,
    pub bank_size: usize,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    /// Whether submitted attempts show correct answers and explanations.
    pub show_review: bool,
    /// The diklat the test is taken for and its window ("… ditutup 28-10-2025"), or why it
    /// cannot be taken now.
    pub window: Option<String>,
    /// The window is closed: the sentence says why.
    pub window_closed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionView {
    /// Index in the bank (what the form sends back).
    pub index: usize,
    pub html: String,
    pub chosen: bool,
    /// After submission: whether this option is correct.
    pub correct: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i32,
    /// single, multiple, true_false, short, numeric
    pub kind: String,
    pub html: String,
    pub options: Vec<OptionView>,
    pub text: String,
    pub true_false: Option<bool>,
    /// After submission: (credit 0–1, explanation HTML, the correct answer as text).
    pub review: Option<(f64, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: i64,
    pub slug: String,
    pub module_title: String,
    pub phase: types::Phase,
    pub no: i32,
    pub status: types::AttemptStatus,
    /// Deadline (WIB) and seconds left, when timed.
    pub deadline: Option<(String, i64)>,
    pub questions: Vec<QuestionView>,
    pub score: Option<f64>,
    pub passed: Option<bool>,
    pub pass_mark: i32,
    pub gain: Option<f64>,
    /// A finished pre-test: the module's objectives behind the questions not fully right, to
    /// study before the sessions (a pre-test is never passed or failed).
    pub study: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::services::quizzes::{self, Phase};

    /// The module, its id and the quiz of a phase.
    pub async fn quiz_for<'a>(
        state: &'a domain::AppState,
        slug: &str,
        phase: Phase,
    ) -> Result<(&'a domain::content::Module, domain::entities::quiz::Model), domain::AppError> {
        let (m, module_id) = state.module(slug).ok_or(domain::AppError::NotFound)?;
        let q = quizzes::quiz_of(state.db.read(), module_id, phase).await?;
        Ok((m, q))
    }

    /// Post minus pre, by each quiz's grading method, over the attempts taken for `diklat_id`.
    pub async fn gain(
        state: &domain::AppState,
        person_id: i32,
        slug: &str,
        diklat_id: Option<i32>,
    ) -> Result<Option<f64>, domain::AppError> {
        let Some(diklat_id) = diklat_id else { return Ok(None) };
        let mut finals = Vec::new();
        for phase in [Phase::Pre, Phase::Post] {
            let (_, q) = quiz_for(state, slug, phase).await?;
            let attempts = quizzes::attempts_in(state.db.read(), person_id, q.id, diklat_id).await?;
            finals.push(quizzes::final_score(&q.grading_method, &attempts));
        }
        Ok(match (finals[0], finals[1]) {
            (Some(pre), Some(post)) => Some(((post - pre) * 10.0).round() / 10.0),
            _ => None,
        })
    }
}

#[cfg(feature = "ssr")]
use crate::api::ssr::{fail, require_caller, state};

/// `/kuis/{slug}/{awal|akhir}`: the quiz's rules, the caller's attempts, and the start button.
#[server(endpoint = "kuis")]
pub async fn get_quiz_overview(slug: String, phase: String) -> Result<QuizOverview, ServerFnError> {
    use domain::services::quizzes::{self, Phase};
    let caller = require_caller()?;
    let state = state()?;
    let phase = Phase::from_slug(&phase).ok_or_else(|| fail(domain::AppError::NotFound))?;
    let (m, q) = ssr::quiz_for(&state, &slug, phase).await.map_err(fail)?;
    let now = chrono::Utc::now();
    let all = quizzes::attempts_of(state.db.read(), caller.person_id, q.id).await.map_err(fail)?;
    let in_progress = all.iter().find(|a| a.status.is_open()).map(|a| a.id);
    // The diklat the test would be taken for now, and its attempts; or why none is open.
    let open =
        domain::services::windows::open_for(state.db.read(), caller.person_id, q.module_id, phase == Phase::Pre, now)
            .await
            .map_err(fail)?;
    let (attempts, window, window_closed, diklat_id) = match &open {
        Ok(d) => {
            let attempts = quizzes::attempts_in(state.db.read(), caller.person_id, q.id, d.id).await.map_err(fail)?;
            let close = domain::services::windows::close_on(d).format("%d-%m-%Y");
            let english = crate::app::request_lang() == crate::i18n::Lang::En;
            let note = match (phase, english) {
                (Phase::Pre, false) => format!("Untuk {}: tes awal dikerjakan sebelum sesi modul ini dimulai.", d.name),
                (Phase::Pre, true) => format!("For {}: take the pre-test before this module's session starts.", d.name),
                (Phase::Post, false) => format!("Untuk {}: tes akhir dapat dikerjakan sampai {close}.", d.name),
                (Phase::Post, true) => format!("For {}: the post-test can be taken until {close}.", d.name),
            };
            (attempts, Some(note), false, Some(d.id))
        }
        Err(closed) => {
            // Results of earlier diklat stay visible, whatever the window.
            let last = all.iter().rev().find_map(|a| a.diklat_id);
            let attempts: Vec<_> = all.iter().filter(|a| a.diklat_id == last).cloned().collect();
            let english = crate::app::request_lang() == crate::i18n::Lang::En;
            (attempts, Some(closed.text().get(english).to_string()), true, last)
        }
    };
    Ok(QuizOverview {
        window,
        window_closed,
        slug: slug.clone(),
        module_title: m.meta.title.clone(),
        phase,
        question_count: q.question_count,
        pass_mark: q.pass_mark,
        max_attempts: q.max_attempts,
        time_limit_minutes: q.time_limit_seconds.map(|s| (s + 59) / 60),
        grading: q.grading_method.clone(),
        can_start: in_progress.is_some() || (open.is_ok() && attempts.len() < q.max_attempts as usize),
        can_configure: caller.manages_content(),
        bank_size: quizzes::current_bank(state.db.read(), q.module_id).await.map_err(fail)?.questions.len(),
        shuffle_questions: q.shuffle_questions,
        shuffle_options: q.shuffle_options,
        show_review: q.show_review,
        final_score: quizzes::final_score(&q.grading_method, &attempts),
        gain: ssr::gain(&state, caller.person_id, &slug, diklat_id).await.map_err(fail)?,
        attempts: attempts
            .iter()
            .map(|a| AttemptSummary {
                id: a.id,
                no: a.attempt_no,
                status: a.status,
                score: a.score,
                passed: a.passed,
                started: a
                    .started_at
                    .with_timezone(&domain::services::schedule::wib())
                    .format("%d-%m-%Y %H:%M")
                    .to_string(),
            })
            .collect(),
        in_progress,
    })
}

/// `/percobaan/{id}`: the caller's own attempt — questions while in progress (no answers
/// in the page), the review once submitted.
#[server(endpoint = "kuis-percobaan")]
pub async fn get_attempt(id: i64) -> Result<AttemptView, ServerFnError> {
    use domain::{
        quiz::{Kind, Response},
        services::quizzes::{self, Phase},
    };
    let caller = require_caller()?;
    let state = state()?;
    let db = state.db.read();
    let a = quizzes::own_attempt(db, caller.person_id, id).await.map_err(fail)?;
    let (q, m) = quizzes::quiz_and_module(db, &a).await.map_err(fail)?;
    let phase = q.kind;
    let now = chrono::Utc::now();
    let shown = quizzes::shown(db, &a).await.map_err(fail)?;
    let questions = shown
        .into_iter()
        .map(|s| {
            let chosen: Vec<usize> = match &s.response {
                Some(Response::Choices(c)) => c.clone(),
                _ => vec![],
            };
            QuestionView {
                id: s.question_id,
                kind: s.kind.code().into(),
                html: s.html,
                options: s
                    .options
                    .into_iter()
                    .map(|(index, html)| OptionView {
                        index,
                        html,
                        chosen: chosen.contains(&index),
                        correct: s.review.as_ref().map(|r| r.correct_options.contains(&index)),
                    })
                    .collect(),
                text: match &s.response {
                    Some(Response::Text(t)) => t.clone(),
                    _ => String::new(),
                },
                true_false: match (&s.response, s.kind) {
                    (Some(Response::TrueFalse(b)), Kind::TrueFalse) => Some(*b),
                    _ => None,
                },
                review: s.review.map(|r| (r.fraction, r.explanation_html, r.correct_text)),
            }
        })
        .collect();
    Ok(AttemptView {
        id: a.id,
        slug: m.slug.clone(),
        module_title: m.title,
        phase,
        no: a.attempt_no,
        status: a.status,
        deadline: a.deadline_at.filter(|_| a.status.is_open()).map(|d| {
            (
                d.with_timezone(&domain::services::schedule::wib()).format("%H:%M:%S").to_string(),
                (d - now).num_seconds().max(0),
            )
        }),
        questions,
        score: a.score,
        passed: a.passed,
        pass_mark: q.pass_mark,
        gain: if a.status.is_open() {
            None
        } else {
            ssr::gain(&state, caller.person_id, &m.slug, a.diklat_id).await.map_err(fail)?
        },
        study: if phase == Phase::Pre && !a.status.is_open() {
            let objectives =
                state.module(&m.slug).map(|(module, _)| module.meta.objectives.clone()).unwrap_or_default();
            quizzes::objectives_to_study(db, &a)
                .await
                .map_err(fail)?
                .into_iter()
                .filter_map(|o| objectives.get((o as usize).wrapping_sub(1)).cloned())
                .collect()
        } else {
            Vec::new()
        },
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub person_id: i32,
    pub name: String,
    pub village: String,
    pub kkmp: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub gain: Option<f64>,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: String,
    pub html: String,
    pub n: usize,
    pub facility: f64,
    pub discrimination: Option<f64>,
    /// (option html, correct, times chosen)
    pub options: Vec<(String, bool, usize)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizResultsView {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub modules: Vec<(String, String)>,
    pub slug: String,
    pub module_title: String,
    pub rows: Vec<ResultRow>,
    /// Averages over those who took each test: (pre, post, gain).
    pub averages: (Option<f64>, Option<f64>, Option<f64>),
    pub items_pre: Vec<ItemView>,
    pub items_post: Vec<ItemView>,
    /// Coefficient alpha over the drawn questions' positions and the attempts it rests on, per
    /// test (pre, post); `None` with too few attempts.
    pub reliability: (Option<Alpha>, Option<Alpha>),
    /// Per objective: (objective text, share right in the pre-test, in the post-test), 0–100.
    pub objectives: Vec<(String, Option<f64>, Option<f64>)>,
    pub villages: Vec<VillageSummary>,
}

/// A test's coefficient alpha and the finished attempts it rests on.
pub type Alpha = (f64, usize);

pub use types::views::VillageSummary;

/// `/diklat/{id}/kuis`: pre/post results of one module for everyone enrolled, and item analysis.
#[server(endpoint = "kuis-hasil")]
pub async fn get_quiz_results(diklat_id: i32, slug: Option<String>) -> Result<QuizResultsView, ServerFnError> {
    use domain::services::{quiz_report, quizzes, schedule};
    let (_, scopes) = crate::schedule_api::ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let d = schedule::managed(db, &scopes, diklat_id).await.map_err(fail)?;
    let modules: Vec<(String, String)> = state
        .content
        .modules
        .iter()
        .filter(|m| m.bank.is_some())
        .map(|m| (m.meta.slug.clone(), m.meta.title.clone()))
        .collect();
    let slug = slug.filter(|s| modules.iter().any(|(m, _)| m == s)).or_else(|| modules.first().map(|m| m.0.clone()));
    let Some(slug) = slug else { return Err(fail(domain::AppError::NotFound)) };
    let (m, module_id) = state.module(&slug).ok_or_else(|| fail(domain::AppError::NotFound))?;
    let results = quiz_report::results(db, d.id, module_id).await.map_err(fail)?;
    let people: Vec<i32> = results.iter().map(|r| r.person_id).collect();
    let avg = |v: Vec<f64>| quiz_report::mean(&v);
    let averages = (
        avg(results.iter().filter_map(|r| r.pre).collect()),
        avg(results.iter().filter_map(|r| r.post).collect()),
        avg(results.iter().filter_map(|r| r.gain()).collect()),
    );
    let mut items = Vec::new();
    let mut reliability = Vec::new();
    for phase in [quizzes::Phase::Pre, quizzes::Phase::Post] {
        let q = quizzes::quiz_of(db, module_id, phase).await.map_err(fail)?;
        let finished = quiz_report::finished(db, q.id, &d, &people).await.map_err(fail)?;
        reliability.push(quiz_report::reliability(&finished).map(|r| (r.alpha, r.attempts)));
        let stats = quiz_report::item_analysis(db, &finished).await.map_err(fail)?;
        items.push(
            stats
                .into_iter()
                .map(|s| ItemView {
                    id: s.ext_id,
                    html: s.html,
                    n: s.n,
                    facility: s.facility,
                    discrimination: s.discrimination,
                    options: s.options,
                })
                .collect::<Vec<_>>(),
        );
    }
    let items_post = items.pop().unwrap_or_default();
    let items_pre = items.pop().unwrap_or_default();
    let villages = quiz_report::by_village(&results);
    let texts = m.meta.objectives.clone();
    let objectives = quiz_report::objective_gains(db, module_id, &d, &people)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(o, pre, post)| {
            let text = texts.get((o as usize).wrapping_sub(1)).cloned().unwrap_or_else(|| format!("Tujuan {o}"));
            (text, pre.map(|v| v * 100.0), post.map(|v| v * 100.0))
        })
        .collect();
    Ok(QuizResultsView {
        objectives,
        reliability: (reliability[0], reliability[1]),
        villages,
        diklat_id: d.id,
        diklat_name: d.name,
        modules,
        slug: slug.clone(),
        module_title: m.meta.title.clone(),
        rows: results
            .into_iter()
            .map(|r| ResultRow {
                person_id: r.person_id,
                gain: r.gain(),
                passed: r.passed_post,
                name: r.name,
                village: r.village,
                kkmp: r.kkmp,
                pre: r.pre,
                post: r.post,
            })
            .collect(),
        averages,
        items_pre,
        items_post,
    })
}

/// A GIFT upload waiting for the panitia to confirm its problems (kept in the session).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiftPending {
    pub slug: String,
    pub file_name: String,
    pub text: String,
    /// The objective (1-based) and section anchor the upload page gave every question.
    #[serde(default)]
    pub objective: Option<u32>,
    #[serde(default)]
    pub section: Option<String>,
}

impl GiftPending {
    pub const KEY: &'static str = "gift_pending";
    /// Largest GIFT upload accepted.
    pub const MAX_BYTES: usize = 1024 * 1024;
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiftPreview {
    pub file_name: String,
    pub importable: usize,
    /// (line, message, skipped)
    pub problems: Vec<(usize, String, bool)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BankView {
    pub slug: String,
    pub module_title: String,
    pub total: usize,
    pub imported: usize,
    /// (kind label, count)
    pub kinds: Vec<(String, usize)>,
    pub can_import: bool,
    pub pending: Option<GiftPreview>,
    /// Every module with a bank: (slug, title).
    pub modules: Vec<(String, String)>,
    /// The module's objectives and `##` sections (anchor, title), for tagging an upload.
    pub objectives: Vec<String>,
    pub sections: Vec<(String, String)>,
    /// Questions of the bank without an objective or a section (imported untagged): they cannot
    /// take part in parallel forms or the objective report until tagged.
    pub untagged: Vec<String>,
    /// What the bank check finds on the bank with its imported questions (the checks the content
    /// file passes at start-up): empty while the imports keep it measuring.
    pub findings: Vec<String>,
}

/// `/bank-soal/{slug}`: the module's bank (panitia and admin), the GIFT upload, and an upload
/// waiting for confirmation.
#[server(endpoint = "bank-soal")]
pub async fn get_bank(slug: String) -> Result<BankView, ServerFnError> {
    use domain::{auth::Role, services::quizzes};
    let caller = crate::api::ssr::require_roles(&[Role::Panitia, Role::Admin])?;
    let state = state()?;
    let (m, module_id) = state.module(&slug).ok_or_else(|| fail(domain::AppError::NotFound))?;
    let db = state.db.read();
    let bank = quizzes::current_bank(db, module_id).await.map_err(fail)?;
    let loaded = quizzes::load_questions(db, bank.questions.clone()).await.map_err(fail)?;
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for id in &bank.questions {
        let Some(q) = loaded.get(id) else { continue };
        let label = match q.kind {
            domain::quiz::Kind::Single => "Pilihan tunggal",
            domain::quiz::Kind::Multiple => "Pilihan ganda (beberapa benar)",
            domain::quiz::Kind::TrueFalse => "Benar/salah",
            domain::quiz::Kind::Short => "Isian singkat",
            domain::quiz::Kind::Numeric => "Angka",
        };
        match kinds.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => kinds.push((label.to_string(), 1)),
        }
    }
    let imported = loaded.values().filter(|q| q.model.ext_id.starts_with(quizzes::IMPORTED_PREFIX)).count();
    let mut pending = None;
    if let Some(session) = crate::api::ssr::session() {
        if let Ok(Some(p)) = session.get::<GiftPending>(GiftPending::KEY).await {
            if p.slug == slug {
                let mut parsed = quizzes::read_gift(db, module_id, &p.text).await.map_err(fail)?;
                parsed.tag(p.objective, p.section.clone());
                pending = Some(GiftPreview {
                    file_name: p.file_name,
                    importable: parsed.questions.len(),
                    problems: parsed.problems.into_iter().map(|p| (p.line, p.message, p.skipped)).collect(),
                });
            }
        }
    }
    let findings = quizzes::measurement_findings(db, m, module_id, &[]).await.map_err(fail)?;
    Ok(BankView {
        findings,
        slug: slug.clone(),
        module_title: m.meta.title.clone(),
        total: bank.questions.len(),
        imported,
        kinds,
        can_import: caller.manages_content(),
        pending,
        objectives: m.meta.objectives.clone(),
        sections: m.sections.iter().map(|s| (s.anchor.clone(), s.title.clone())).collect(),
        untagged: bank
            .questions
            .iter()
            .filter_map(|id| loaded.get(id))
            .filter(|q| q.model.objective.is_none() || q.model.section.is_none())
            .map(|q| q.model.ext_id.clone())
            .collect(),
        modules: state
            .content
            .modules
            .iter()
            .filter(|m| m.bank.is_some())
            .map(|m| (m.meta.slug.clone(), m.meta.title.clone()))
            .collect(),
    })
}

/// What the answer form (`/kuis/jawab`) returns to the attempt page's autosave island, which
/// posts it for data: the time the answers were saved (WIB, `HH:MM:SS`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Autosaved {
    pub at: String,
}
