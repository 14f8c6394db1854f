//! What a participant sees after an attempt: the questions shown and, when due, their review.

use super::{attempts::*, questions::*, Phase};
use crate::{
    entities::{attempt, quiz},
    quiz::{Key, Kind, Response},
    AppError,
};
use sea_orm::{ConnectionTrait, EntityTrait};

/// A question of an attempt as the participant sees it: never the key.
#[derive(Clone, Debug)]
pub struct ShownQuestion {
    pub question_id: i32,
    pub kind: Kind,
    pub html: String,
    /// (bank index, html) in display order.
    pub options: Vec<(usize, String)>,
    pub response: Option<Response>,
    /// After submission, when the quiz shows its review.
    pub review: Option<Review>,
}

#[derive(Clone, Debug)]
pub struct Review {
    pub fraction: f64,
    pub explanation_html: String,
    /// Bank indices of the correct options, or the accepted answer(s) / number as text.
    pub correct_options: Vec<usize>,
    pub correct_text: String,
}

/// Whether a finished attempt may show its review (correct answers and explanations): only when
/// the quiz shows reviews at all, and for a post-test only once the participant has passed it or
/// used their last attempt in that diklat — a key shown between attempts would be the next
/// attempt's answers.
pub async fn review_due<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<bool, AppError> {
    let Some(q) = quiz::Entity::find_by_id(a.quiz_id).one(db).await? else { return Ok(false) };
    if !q.show_review {
        return Ok(false);
    }
    if q.kind != Phase::Post {
        return Ok(true);
    }
    let attempts = match a.diklat_id {
        Some(d) => attempts_in(db, a.person_id, q.id, d).await?,
        None => attempts_of(db, a.person_id, q.id).await?.into_iter().filter(|x| x.diklat_id.is_none()).collect(),
    };
    let passed = attempts.iter().any(|x| x.passed == Some(true));
    let finished = attempts.iter().filter(|x| !x.status.is_open()).count();
    Ok(passed || finished >= q.max_attempts as usize)
}

/// The questions of an attempt in display order; the key only once it is finished, and only
/// when the quiz shows its review (`show_review`; the score and pass/fail are shown either way).
pub async fn shown<C: ConnectionTrait>(db: &C, a: &attempt::Model) -> Result<Vec<ShownQuestion>, AppError> {
    let layout = layout_of(a);
    let questions = load_questions(db, layout.iter().map(|s| s.q).collect()).await?;
    let responses = responses_of(db, a.id).await?;
    let finished = !a.status.is_open() && review_due(db, a).await?;
    let mut out = Vec::new();
    for slot in layout {
        let Some(Loaded { model: q, kind, key }) = questions.get(&slot.q) else { continue };
        let options = match key {
            Key::Choices(c) => slot.o.iter().filter_map(|&i| c.get(i).map(|o| (i, o.html.clone()))).collect(),
            _ => vec![],
        };
        let (response, fraction) = match responses.get(&q.id) {
            Some((r, f)) => (Some(r.clone()), *f),
            None => (None, None),
        };
        // Feedback of the options this participant ticked, then the explanation everyone sees.
        let chosen_feedback: String = match (key, responses.get(&q.id)) {
            (Key::Choices(c), Some((Response::Choices(chosen), _))) => chosen
                .iter()
                .filter_map(|i| c.get(*i).and_then(|o| o.feedback_html.as_deref()))
                .map(|f| format!("<div class=\"option-feedback\">{f}</div>"))
                .collect(),
            _ => String::new(),
        };
        let review = finished.then(|| Review {
            fraction: fraction.unwrap_or(0.0),
            explanation_html: format!("{chosen_feedback}{}", q.explanation.clone().unwrap_or_default()),
            correct_options: match key {
                Key::Choices(c) => c.iter().enumerate().filter(|(_, o)| o.correct).map(|(i, _)| i).collect(),
                _ => vec![],
            },
            correct_text: match key {
                Key::TrueFalse(b) => if *b { "Benar" } else { "Salah" }.to_string(),
                Key::Short(accepted) => accepted.join(" / "),
                Key::Numeric { value, tolerance } if *tolerance > 0.0 => format!("{value} (± {tolerance})"),
                Key::Numeric { value, .. } => format!("{value}"),
                Key::Choices(_) => String::new(),
            },
        });
        out.push(ShownQuestion { question_id: q.id, kind: *kind, html: q.body.clone(), options, response, review });
    }
    Ok(out)
}
