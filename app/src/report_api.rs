//! The officials' reports (`/laporan`, its print view) and the public progress page
//! (`/capaian`). The server functions check the caller and delegate to
//! `domain::services::report`; the CSV/XLSX exports are axum handlers over the same service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The query string every report URL carries (shareable, and what the exports receive), and the
/// coverage counts: the services build these very values (`types::views`).
pub use types::views::{Counts, CoverageRow, ReportQuery};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearningLine {
    pub name: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub gain: Option<f64>,
    pub takers: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonStatusLine {
    pub name: String,
    pub position: Option<types::Jabatan>,
    pub kkmp: String,
    pub village: String,
    pub district: String,
    pub diklat: String,
    pub attendance: String,
    pub attendance_ok: bool,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub eligible: bool,
    /// (number, verification code, standing today)
    pub certificate: Option<(String, String, types::CertificateStanding)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleList {
    pub rows: Vec<PersonStatusLine>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    pub code: String,
    pub name: String,
    /// (code, name) from the top down; "" is the whole country.
    pub trail: Vec<(String, String)>,
    /// "Kecamatan", "Kelurahan/Desa", …
    pub child_label: String,
    /// Whether the rows can be opened (there is a level below).
    pub drills: bool,
    pub total: Counts,
    pub rows: Vec<CoverageRow>,
    pub modules: Vec<LearningLine>,
    pub learning_rows: Vec<LearningLine>,
    /// None where people are not listed (above a kabupaten/kota, without a name to search).
    pub people: Option<PeopleList>,
    pub diklat_choices: Vec<(i32, String)>,
    pub diklat_name: Option<String>,
    /// The participants' satisfaction index per diklat of the area: (diklat, answers, "82,35 · B — Baik").
    pub satisfaction: Vec<(String, usize, Option<String>)>,
    pub generated: String,
}

/// The public aggregate: KKMP per area and how many are ready. No names of people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapaianData {
    pub code: String,
    pub name: String,
    pub trail: Vec<(String, String)>,
    pub child_label: String,
    pub drills: bool,
    pub total: Counts,
    pub rows: Vec<CoverageRow>,
    pub generated: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub fn wib_label(at: chrono::DateTime<chrono::Utc>) -> String {
        let at = at.with_timezone(&domain::services::clock::wib());
        at.format("%d-%m-%Y %H:%M:%S WIB").to_string()
    }
}

/// `/laporan`: coverage, readiness, learning and people of an area, for pejabat, panitia, admin.
#[server]
pub async fn report_view(query: ReportQuery) -> Result<ReportData, ServerFnError> {
    use crate::api::ssr::{fail, require_roles, state};
    use domain::{auth::Role, services::report};
    let caller = require_roles(&[Role::Pejabat, Role::Panitia, Role::Admin])?;
    let scopes = caller.report_scopes();
    let state = state()?;
    let db = state.db.read();
    let (place, filter) = report::resolve(db, &scopes, &query).await.map_err(fail)?;
    let modules = state.quiz_modules();
    let today = domain::services::schedule::today_wib(chrono::Utc::now());
    let figures = report::figures(&state, place.area, &filter, today).await.map_err(fail)?;
    let coverage = &figures.coverage;
    let titles: std::collections::HashMap<i32, String> = modules.iter().cloned().collect();
    let learning = |rows: Vec<report::LearningRow>, name: &dyn Fn(i32) -> String| {
        rows.into_iter()
            .map(|r| LearningLine { name: name(r.id), pre: r.pre, post: r.post, gain: r.gain, takers: r.takers })
            .collect::<Vec<_>>()
    };
    let modules_learning =
        learning(figures.modules.clone(), &|id| titles.get(&id).cloned().unwrap_or_else(|| format!("Modul #{id}")));
    let area_names: std::collections::HashMap<i32, String> =
        report::sheets_of(db, place.area).await.map_err(fail)?.into_iter().collect();
    let learning_rows = learning(figures.areas.clone(), &|id| area_names.get(&id).cloned().unwrap_or_default());
    let people = if place.area.lists_people() || filter.q.is_some() {
        let page = report::people(db, place.area, &filter, today, query.page(), 50).await.map_err(fail)?;
        Some(PeopleList {
            rows: page
                .rows
                .iter()
                .map(|p| PersonStatusLine {
                    name: p.name.clone(),
                    position: p.position,
                    kkmp: p.kkmp.clone(),
                    village: p.village.clone(),
                    district: p.district.clone(),
                    diklat: p.diklat.clone(),
                    attendance: format!("{}/{} ({}%)", p.present, p.sessions, p.attendance_percent()),
                    attendance_ok: p.attendance_ok,
                    pre: p.pre_mean,
                    post: p.post_mean,
                    eligible: p.eligible,
                    certificate: p.certificate_standing(today).map(|standing| {
                        (
                            p.certificate_number.clone().unwrap_or_default(),
                            p.certificate_code.clone().unwrap_or_default(),
                            standing,
                        )
                    }),
                })
                .collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        })
    } else {
        None
    };
    let diklat_choices = report::diklat_choices(db, &scopes, place.area, filter.diklat_id).await.map_err(fail)?;
    let diklat_name =
        filter.diklat_id.and_then(|id| diklat_choices.iter().find(|(d, _)| *d == id).map(|(_, n)| n.clone()));
    let lang = crate::app::request_lang();
    let ids: Vec<i32> = diklat_choices.iter().map(|(id, _)| *id).collect();
    let satisfaction = domain::services::evaluation::satisfaction(
        db,
        &ids,
        &state.content.forms,
        state.evaluation_min_group,
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?
    .into_iter()
    .map(|(id, n, ikm)| {
        let name = diklat_choices.iter().find(|(d, _)| *d == id).map(|(_, n)| n.clone()).unwrap_or_default();
        let shown = ikm.map(|v| {
            let (grade, label_id, label_en) = domain::evaluation::ikm_category(v);
            let label = if lang == crate::i18n::Lang::En { label_en } else { label_id };
            format!("{} · {grade} — {label}", crate::i18n::decimal2(v, lang))
        });
        (name, n, shown)
    })
    .collect();
    Ok(ReportData {
        code: place.code,
        name: place.name,
        trail: place.trail,
        child_label: place.area.child_label().to_string(),
        drills: !matches!(place.area, report::Area::Village(_)),
        total: coverage.total.clone(),
        rows: coverage.rows.clone(),
        modules: modules_learning,
        learning_rows,
        people,
        diklat_choices,
        diklat_name,
        satisfaction,
        generated: ssr::wib_label(figures.computed_at),
    })
}

/// `/capaian`: how many KKMP per area are ready — for anyone, aggregate only (no names).
#[server]
pub async fn capaian_view(wilayah: Option<String>) -> Result<CapaianData, ServerFnError> {
    use crate::api::ssr::{fail, state};
    use domain::{auth::Scope, services::report};
    let state = state()?;
    let db = state.db.read();
    let place = report::place(db, wilayah.as_deref(), &[Scope::National]).await.map_err(fail)?;
    // The public page stops at the kelurahan: below it there would be people.
    if matches!(place.area, report::Area::Village(_)) {
        return Err(fail(domain::AppError::NotFound));
    }
    let today = domain::services::schedule::today_wib(chrono::Utc::now());
    let figures = report::figures(&state, place.area, &report::Filter::default(), today).await.map_err(fail)?;
    let coverage = &figures.coverage;
    Ok(CapaianData {
        code: place.code,
        name: place.name,
        trail: place.trail,
        child_label: place.area.child_label().to_string(),
        drills: !matches!(place.area, report::Area::District(_)),
        total: coverage.total.clone(),
        rows: coverage.rows.clone(),
        generated: ssr::wib_label(figures.computed_at),
    })
}
