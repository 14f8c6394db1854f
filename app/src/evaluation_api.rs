//! Server functions and DTOs for the participants' evaluation of a diklat
//! (`domain::services::evaluation`); forms post to `server/src/routes/evaluation.rs`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A form a participant is asked to fill in, as listed on `/evaluasi`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DueView {
    pub href: String,
    pub diklat_name: String,
    pub title: String,
    /// "Sesi: … (dd-mm-yyyy) · narasumber"
    pub about: Option<String>,
    pub submitted: bool,
    pub draft: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub rated: bool,
    /// The draft's answer, as typed or chosen.
    pub value: String,
}

/// A form opened by its participant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormView {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub form_id: String,
    pub session_id: i32,
    pub title: String,
    pub about: Option<String>,
    pub submitted: bool,
    /// (point, label), lowest first.
    pub scale: Vec<(u8, String)>,
    pub questions: Vec<QuestionView>,
    pub max_text: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionFiguresView {
    pub text: String,
    pub answered: usize,
    /// The mean, as the page's language writes it ("3,25"), and as a number for the chart.
    pub mean: Option<String>,
    pub mean_value: Option<f64>,
    pub counts: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FiguresView {
    pub title: String,
    pub responses: usize,
    pub expected: usize,
    pub percent: u32,
    pub shown: bool,
    /// "82,35"
    pub ikm: Option<String>,
    /// "B — Baik"
    pub category: Option<String>,
    pub scale_min: u8,
    pub scale_max: u8,
    pub scale_labels: Vec<String>,
    pub questions: Vec<QuestionFiguresView>,
    /// (question, answers)
    pub open: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeakerView {
    pub id: i32,
    pub name: String,
    pub institution: String,
    pub sessions: Vec<String>,
    pub figures: FiguresView,
}

/// `/diklat/{id}/evaluasi`: the panitia's choice of forms and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub diklat_code: String,
    /// Every form in the content folder: (id, title, chosen).
    pub available: Vec<(String, String, bool)>,
    pub required: bool,
    pub min_group: usize,
    /// Figures show from the day after `closes_on` (dd-mm-yyyy); until then only the counts.
    pub closed: bool,
    pub closes_on: String,
    pub enrolled: usize,
    pub forms: Vec<FiguresView>,
    pub speakers: Vec<SpeakerView>,
}

/// `/evaluasi/narasumber/{id}`: one narasumber across the diklat the caller manages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeakerAcrossView {
    pub name: String,
    pub institution: String,
    pub min_group: usize,
    /// (diklat name, code, figures)
    pub rows: Vec<(String, String, SpeakerView)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::i18n::Lang;
    use domain::services::evaluation::{FormFigures, SpeakerFigures};

    pub fn figures_view(f: &FormFigures, form: Option<&domain::evaluation::Form>, lang: Lang) -> FiguresView {
        let en = lang == Lang::En;
        let scale = form.map(|f| f.scale.clone());
        FiguresView {
            title: if en { f.title_en.clone() } else { f.title.clone() },
            responses: f.responses,
            expected: f.expected,
            percent: f.response_percent(),
            shown: f.shown,
            ikm: f.ikm.map(|v| crate::i18n::decimal2(v, lang)),
            category: f.ikm.map(|v| {
                let (grade, id, english) = domain::evaluation::ikm_category(v);
                format!("{grade} — {}", if en { english } else { id })
            }),
            scale_min: scale.as_ref().map_or(1, |s| s.min),
            scale_max: scale.as_ref().map_or(4, |s| s.max),
            scale_labels: scale.map(|s| if en { s.labels_en } else { s.labels }).unwrap_or_default(),
            questions: f
                .questions
                .iter()
                .map(|q| QuestionFiguresView {
                    text: if en { q.text_en.clone() } else { q.text.clone() },
                    answered: q.answered,
                    mean: q.mean.map(|m| crate::i18n::decimal2(m, lang)),
                    mean_value: q.mean,
                    counts: q.counts.clone(),
                })
                .collect(),
            open: f
                .open
                .iter()
                .map(|(id, english, answers)| (if en { english.clone() } else { id.clone() }, answers.clone()))
                .collect(),
        }
    }

    pub fn speaker_view(s: &SpeakerFigures, form: Option<&domain::evaluation::Form>, lang: Lang) -> SpeakerView {
        SpeakerView {
            id: s.narasumber_id,
            name: s.name.clone(),
            institution: s.institution.clone(),
            sessions: s.sessions.clone(),
            figures: figures_view(&s.figures, form, lang),
        }
    }

    pub fn about(due: &domain::services::evaluation::Due, lang: Lang) -> Option<String> {
        due.session_title.as_ref().map(|title| {
            let date = due.session_date.map(|d| format!(" ({})", d.format("%d-%m-%Y"))).unwrap_or_default();
            let speaker = due.speaker.as_ref().map(|s| format!(" · {s}")).unwrap_or_default();
            format!("{}{title}{date}{speaker}", lang.pick("Sesi: ", "Session: "))
        })
    }

    pub fn href(due: &domain::services::evaluation::Due) -> String {
        format!("/evaluasi/{}/{}/{}", due.diklat_id, due.form_id, due.session_id)
    }
}

/// The evaluations the signed-in participant is asked for.
#[server(endpoint = "evaluasi")]
pub async fn my_evaluations() -> Result<Vec<DueView>, ServerFnError> {
    let caller = crate::api::ssr::require_caller()?;
    let state = crate::api::ssr::state()?;
    let lang = crate::app::request_lang();
    let forms = &state.content.forms;
    let due = domain::services::evaluation::due_for(state.db.read(), caller.person_id, forms, chrono::Utc::now())
        .await
        .map_err(crate::api::ssr::fail)?;
    Ok(due
        .iter()
        .map(|d| {
            let form = forms.iter().find(|f| f.id == d.form_id);
            DueView {
                href: ssr::href(d),
                diklat_name: d.diklat_name.clone(),
                title: form
                    .map(|f| if lang == crate::i18n::Lang::En { f.title_en.clone() } else { f.title.clone() })
                    .unwrap_or_default(),
                about: ssr::about(d, lang),
                submitted: d.submitted,
                draft: d.draft,
            }
        })
        .collect())
}

/// One form, as its participant fills it in (with their draft).
#[server(endpoint = "evaluasi-formulir")]
pub async fn evaluation_form(diklat: i32, form: String, session: i32) -> Result<FormView, ServerFnError> {
    let caller = crate::api::ssr::require_caller()?;
    let state = crate::api::ssr::state()?;
    let lang = crate::app::request_lang();
    let en = lang == crate::i18n::Lang::En;
    let forms = &state.content.forms;
    let f = forms.iter().find(|f| f.id == form).ok_or_else(|| crate::api::ssr::fail(domain::AppError::NotFound))?;
    let opened = domain::services::evaluation::open(
        state.db.read(),
        caller.person_id,
        forms,
        (diklat, &form, session),
        chrono::Utc::now(),
    )
    .await
    .map_err(crate::api::ssr::fail)?;
    Ok(FormView {
        diklat_id: diklat,
        diklat_name: opened.due.diklat_name.clone(),
        form_id: f.id.clone(),
        session_id: session,
        title: if en { f.title_en.clone() } else { f.title.clone() },
        about: ssr::about(&opened.due, lang),
        submitted: opened.due.submitted,
        scale: f
            .scale
            .points()
            .map(|p| {
                let (id, english) = f.scale.label(p);
                (p, if en { english } else { id }.to_string())
            })
            .collect(),
        questions: f
            .questions
            .iter()
            .map(|q| QuestionView {
                id: q.id.clone(),
                text: if en { q.text_en.clone() } else { q.text.clone() },
                rated: q.kind == domain::evaluation::Kind::Scale,
                value: opened.draft.get(&q.id).cloned().unwrap_or_default(),
            })
            .collect(),
        max_text: domain::evaluation::MAX_TEXT,
    })
}

/// The panitia's view of a diklat's evaluation: the forms it asks for and the report.
#[server(endpoint = "evaluasi-laporan")]
pub async fn evaluation_report(diklat: i32) -> Result<ReportView, ServerFnError> {
    let caller = crate::api::ssr::require_caller()?;
    let state = crate::api::ssr::state()?;
    let lang = crate::app::request_lang();
    let en = lang == crate::i18n::Lang::En;
    let scopes = crate::api::ssr::management_scopes(&caller);
    if scopes.is_empty() {
        return Err(crate::api::ssr::fail(domain::AppError::Forbidden));
    }
    let forms = &state.content.forms;
    let (d, report) = domain::services::evaluation::report(
        state.db.read(),
        &scopes,
        diklat,
        forms,
        state.evaluation_min_group,
        chrono::Utc::now(),
    )
    .await
    .map_err(crate::api::ssr::fail)?;
    let form_of = |id: &str| forms.iter().find(|f| f.id == id);
    let session_form = forms.iter().find(|f| report.settings.session_forms.contains(&f.id));
    Ok(ReportView {
        diklat_id: d.id,
        diklat_name: d.name.clone(),
        diklat_code: d.code.clone(),
        available: forms
            .iter()
            .map(|f| {
                (
                    f.id.clone(),
                    if en { f.title_en.clone() } else { f.title.clone() },
                    report.settings.forms.contains(&f.id),
                )
            })
            .collect(),
        required: report.settings.required,
        min_group: state.evaluation_min_group,
        closed: report.closed,
        closes_on: report.closes_on.format("%d-%m-%Y").to_string(),
        enrolled: report.enrolled,
        forms: report.forms.iter().map(|f| ssr::figures_view(f, form_of(&f.form_id), lang)).collect(),
        speakers: report.speakers.iter().map(|s| ssr::speaker_view(s, session_form, lang)).collect(),
    })
}

/// A narasumber across every diklat the caller manages.
#[server(endpoint = "evaluasi-narasumber")]
pub async fn speaker_across(narasumber: i32) -> Result<SpeakerAcrossView, ServerFnError> {
    let caller = crate::api::ssr::require_caller()?;
    let state = crate::api::ssr::state()?;
    let lang = crate::app::request_lang();
    let scopes = crate::api::ssr::management_scopes(&caller);
    if scopes.is_empty() {
        return Err(crate::api::ssr::fail(domain::AppError::Forbidden));
    }
    let forms = &state.content.forms;
    let (n, rows) = domain::services::evaluation::speaker_across(
        state.db.read(),
        &scopes,
        narasumber,
        forms,
        state.evaluation_min_group,
        chrono::Utc::now(),
    )
    .await
    .map_err(crate::api::ssr::fail)?;
    let form = forms.iter().find(|f| f.scope == domain::evaluation::Scope::Session);
    Ok(SpeakerAcrossView {
        name: n.name,
        institution: n.institution,
        min_group: state.evaluation_min_group,
        rows: rows.iter().map(|(d, s)| (d.name.clone(), d.code.clone(), ssr::speaker_view(s, form, lang))).collect(),
    })
}
