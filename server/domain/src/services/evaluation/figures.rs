//! The figures of a diklat's evaluation, published once it has closed, and their export.

use super::settings::settings;
use super::{
    answering::{closes_on, is_closed},
    settings::{attended, Settings},
};
use crate::auth::Scope;
use crate::entities::{attendance, diklat, diklat_session, enrolment, evaluation_answer, narasumber};
use crate::evaluation::{Form, Scope as FormScope};
use crate::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};

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
    let d = crate::services::schedule::managed(db, scopes, diklat_id).await?;
    let closed = is_closed(&d, now);
    // Before the close no figure shows, however many answered: only the counts.
    let min_group = if closed { min_group } else { usize::MAX };
    let settings = settings(db, d.id).await?;
    let enrolled = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
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
pub(super) fn figure_rows(part: &str, speaker: &str, f: &FormFigures) -> Vec<Vec<String>> {
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
pub(super) async fn speaker_figures<C: ConnectionTrait>(
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
        .filter(|a| attended(a.status))
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
        let Ok(d) = crate::services::schedule::managed(db, scopes, id).await else { continue };
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
