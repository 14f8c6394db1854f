//! Server functions and DTOs for scheduling and attendance. Each function checks the caller and
//! delegates to `domain::services::{schedule, attendance}`; forms post to the axum handlers in
//! `server/src/routes/schedule.rs` and `attendance.rs`, which call the same services.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiklatSummary {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub venue: String,
    pub dates: String,
    pub status: types::DiklatStatus,
    pub sessions: u64,
    pub enrolled: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i32,
    pub diklat_id: i32,
    pub diklat_name: String,
    /// YYYY-MM-DD
    pub date: String,
    /// "Senin, 13 Oktober 2025"
    pub date_label: String,
    pub starts: String,
    pub ends: String,
    pub title: String,
    pub room: String,
    pub venue: String,
    pub module: Option<(String, String)>,
    pub speaker: Option<(String, String)>,
    pub jp: i32,
    pub is_today: bool,
    pub is_past: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiklatView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub description: String,
    pub venue: String,
    pub starts_on: String,
    pub ends_on: String,
    pub dates: String,
    pub total_jp: i32,
    pub status: types::DiklatStatus,
    pub min_attendance_pct: i32,
    /// The marks that count as present (a diklat's rule; unknown codes left out).
    pub present_statuses: Vec<types::Attendance>,
    pub sessions: Vec<SessionView>,
    pub enrolled: usize,
    pub kkmp_covered: usize,
    pub kkmp_total: u64,
    pub districts: Vec<(i32, String)>,
    pub villages: Vec<(i32, String)>,
    pub modules: Vec<(String, String)>,
    /// Per KKMP: (kelurahan, KKMP, enrolled, average attendance %)
    pub per_kkmp: Vec<(String, String, usize, u32)>,
    /// The modules with tests, as (id, title, listed in the rule); none listed: the rule takes
    /// the modules of the sessions.
    pub rule_modules: Vec<(i32, String, bool)>,
    /// YYYY-MM-DD as set, or empty (the last day + 14).
    pub tests_close_on: String,
    /// dd-mm-yyyy: the closing day in effect.
    pub tests_close_label: String,
    /// The deployment's lowest minimum attendance.
    pub attendance_floor: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolledRow {
    pub person_id: i32,
    pub name: String,
    pub position: Option<types::Jabatan>,
    pub kkmp: String,
    pub village: String,
    pub district: String,
    pub held: usize,
    pub present: usize,
    pub percent: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolledView {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub min_attendance_pct: i32,
    pub rows: Vec<EnrolledRow>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub q: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridRow {
    pub person_id: i32,
    pub name: String,
    pub position: Option<types::Jabatan>,
    pub village: String,
    pub kkmp: String,
    pub status: Option<types::Attendance>,
    pub note: String,
    pub reason: String,
    pub version: Option<i32>,
    pub source: Option<types::MarkSource>,
    /// Earlier values, newest first: (mark, where it came from, "13-10-2025 08:05").
    pub history: Vec<(types::Attendance, types::MarkSource, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinState {
    pub closes_at: String,
    pub late_after_minutes: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridView {
    pub session: SessionView,
    pub rows: Vec<GridRow>,
    pub counts: Vec<(types::Attendance, usize)>,
    pub unmarked: usize,
    pub villages: Vec<(i32, String)>,
    pub village: Option<i32>,
    pub checkin: Option<CheckinState>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeView {
    pub session: SessionView,
    pub open: bool,
    pub code: String,
    pub seconds_left: i64,
    pub url: String,
    pub qr_svg: String,
    pub closes_at: String,
    pub checked_in: usize,
    pub enrolled: usize,
    /// Where to type the code: the site's address and `/presensi`, without the scheme.
    pub address: String,
    /// How long a code is still accepted after it changed on the screen.
    pub grace_seconds: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub sessions: Vec<SessionView>,
    /// The next session that has not ended yet.
    pub next_id: Option<i32>,
    pub today: String,
    /// Calendar feeds: (label, path).
    pub feeds: Vec<(String, String)>,
    pub staff: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinPageView {
    /// Today's sessions of the peserta with an open check-in: (id, title, times).
    pub open_sessions: Vec<(i32, String, String)>,
    /// The session named by a QR link, if any.
    pub session: Option<SessionView>,
    /// Their marks today: (session title, mark).
    pub marks_today: Vec<(String, types::Attendance)>,
}

pub const DAYS_ID: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
pub const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

pub const DAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::i18n::Lang;
    use chrono::{Datelike, NaiveDate, Utc};
    use domain::services::schedule::SessionRow;

    /// "Senin, 7 Desember 2026" / "Monday, 7 December 2026", in the request's language.
    pub fn date_label(d: NaiveDate) -> String {
        let (days, _) = names(crate::app::request_lang());
        format!("{}, {}", days[d.weekday().num_days_from_monday() as usize], day(d))
    }

    fn names(lang: Lang) -> (&'static [&'static str; 7], &'static [&'static str; 12]) {
        match lang {
            Lang::Id => (&DAYS_ID, &MONTHS_ID),
            Lang::En => (&DAYS_EN, &MONTHS_EN),
        }
    }

    /// "7 Desember 2026" / "7 December 2026", in the request's language.
    pub fn day(d: NaiveDate) -> String {
        let (_, months) = names(crate::app::request_lang());
        format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
    }

    pub fn dates(a: NaiveDate, b: NaiveDate) -> String {
        let f = day;
        if a == b {
            f(a)
        } else {
            format!("{} – {}", f(a), f(b))
        }
    }

    pub fn session_view(s: &SessionRow) -> SessionView {
        let now = Utc::now();
        SessionView {
            id: s.session.id,
            diklat_id: s.session.diklat_id,
            diklat_name: s.diklat_name.clone(),
            date: s.session.session_date.to_string(),
            date_label: date_label(s.session.session_date),
            starts: s.session.starts_at.format("%H:%M").to_string(),
            ends: s.session.ends_at.format("%H:%M").to_string(),
            title: s.session.title.clone(),
            room: s.session.room.clone(),
            venue: s.venue.clone(),
            module: s.module_slug.clone().zip(s.module_title.clone()),
            speaker: s.speaker.clone(),
            jp: s.session.jp,
            is_today: domain::services::schedule::today_wib(now) == s.session.session_date,
            is_past: s.ends_utc() <= now,
        }
    }

    /// The caller with a management role, and the scopes they manage.
    pub fn manager() -> Result<(domain::auth::Caller, Vec<domain::auth::Scope>), ServerFnError> {
        use domain::auth::Role;
        let caller = crate::api::ssr::require_roles(&[Role::Panitia, Role::Admin])?;
        let scopes = crate::api::ssr::management_scopes(&caller);
        Ok((caller, scopes))
    }
}

#[cfg(feature = "ssr")]
use crate::api::ssr::{fail, state};

/// The diklat the caller manages.
#[server(endpoint = "diklat-daftar")]
pub async fn list_diklat() -> Result<Vec<DiklatSummary>, ServerFnError> {
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let rows = domain::services::schedule::list_managed(state.db.read(), &scopes).await.map_err(fail)?;
    Ok(rows
        .into_iter()
        .map(|r| DiklatSummary {
            id: r.diklat.id,
            code: r.diklat.code,
            name: r.diklat.name,
            venue: r.diklat.venue,
            dates: ssr::dates(r.diklat.starts_on, r.diklat.ends_on),
            status: r.diklat.status,
            sessions: r.sessions,
            enrolled: r.enrolled,
        })
        .collect())
}

/// One diklat with its sessions, enrolment coverage and per-KKMP attendance.
#[server(endpoint = "diklat-detail")]
pub async fn diklat_detail(id: i32) -> Result<DiklatView, ServerFnError> {
    use domain::services::{attendance, people, schedule};
    use std::collections::{BTreeMap, HashSet};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let d = schedule::managed(db, &scopes, id).await.map_err(fail)?;
    let sessions = schedule::sessions_of(db, id).await.map_err(fail)?;
    let enrolled = schedule::enrolled(db, id).await.map_err(fail)?;
    let rates = attendance::rates(db, &d, &enrolled, chrono::Utc::now()).await.map_err(fail)?;
    let kkmp: HashSet<i32> = enrolled.iter().filter_map(|e| e.cooperative_id).collect();
    let kkmp_total = schedule::cooperatives_in_scope(db, &scopes).await.map_err(fail)?;
    let mut per_kkmp: BTreeMap<(String, String), (usize, u32)> = BTreeMap::new();
    for e in &enrolled {
        let entry = per_kkmp.entry((e.village.clone(), e.cooperative.clone())).or_default();
        entry.0 += 1;
        entry.1 += rates.get(&e.person_id).map(|r| r.percent()).unwrap_or(0);
    }
    let districts = people::districts_in_scope(db, &scopes).await.map_err(fail)?;
    // A kelurahan list only where it stays short enough for a select (a city, not a province).
    let villages =
        if districts.len() <= 30 { people::villages_of(db, &districts).await.map_err(fail)? } else { Vec::new() };
    Ok(DiklatView {
        id: d.id,
        code: d.code.clone(),
        name: d.name.clone(),
        description: d.description.clone().unwrap_or_default(),
        venue: d.venue.clone(),
        starts_on: d.starts_on.to_string(),
        ends_on: d.ends_on.to_string(),
        dates: ssr::dates(d.starts_on, d.ends_on),
        total_jp: d.total_jp,
        status: d.status,
        min_attendance_pct: d.min_attendance_pct,
        present_statuses: d.present_statuses.split(',').filter_map(types::Attendance::from_code).collect(),
        sessions: sessions.iter().map(ssr::session_view).collect(),
        enrolled: enrolled.len(),
        kkmp_covered: kkmp.len(),
        kkmp_total,
        districts,
        villages,
        modules: state.content.modules.iter().map(|m| (m.meta.slug.clone(), m.meta.title.clone())).collect(),
        rule_modules: {
            let listed = domain::services::windows::listed_modules(db, d.id).await.map_err(fail)?;
            state.quiz_modules().into_iter().map(|(id, title)| (id, title, listed.contains(&id))).collect()
        },
        tests_close_on: d.tests_close_on.map(|t| t.to_string()).unwrap_or_default(),
        tests_close_label: domain::services::windows::close_on(&d).format("%d-%m-%Y").to_string(),
        attendance_floor: state.attendance_floor,
        per_kkmp: per_kkmp
            .into_iter()
            .map(|((village, coop), (n, sum))| (village, coop, n, if n == 0 { 0 } else { sum / n as u32 }))
            .collect(),
    })
}

pub const ENROLLED_PER_PAGE: usize = 50;

/// Who is enrolled, with their attendance rate; searchable by name or kelurahan, paginated.
#[server(endpoint = "diklat-peserta")]
pub async fn enrolled_list(id: i32, q: String, page: usize) -> Result<EnrolledView, ServerFnError> {
    use domain::services::{attendance, schedule};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let d = schedule::managed(db, &scopes, id).await.map_err(fail)?;
    let enrolled = schedule::enrolled(db, id).await.map_err(fail)?;
    let rates = attendance::rates(db, &d, &enrolled, chrono::Utc::now()).await.map_err(fail)?;
    let needle = q.trim().to_lowercase();
    let all: Vec<EnrolledRow> = enrolled
        .into_iter()
        .filter(|e| {
            needle.is_empty()
                || e.name.to_lowercase().contains(&needle)
                || e.village.to_lowercase().contains(&needle)
                || e.district.to_lowercase().contains(&needle)
        })
        .map(|e| {
            let r = rates.get(&e.person_id).copied().unwrap_or_default();
            EnrolledRow {
                person_id: e.person_id,
                name: e.name,
                position: e.position,
                kkmp: e.cooperative,
                village: e.village,
                district: e.district,
                held: r.held,
                present: r.present,
                percent: r.percent(),
            }
        })
        .collect();
    let total = all.len();
    let pages = total.div_ceil(ENROLLED_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let rows = all.into_iter().skip((page - 1) * ENROLLED_PER_PAGE).take(ENROLLED_PER_PAGE).collect();
    Ok(EnrolledView {
        diklat_id: d.id,
        diklat_name: d.name,
        min_attendance_pct: d.min_attendance_pct,
        rows,
        total,
        page,
        pages,
        q,
    })
}

/// The marking grid of a session: everyone enrolled (in one kelurahan, when chosen).
#[server(endpoint = "sesi-presensi")]
pub async fn session_grid(id: i32, village: Option<i32>) -> Result<GridView, ServerFnError> {
    use domain::services::{attendance, schedule};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let (s, d) = attendance::managed_session(db, &scopes, id).await.map_err(fail)?;
    let row = schedule::session(db, id).await.map_err(fail)?;
    let marks = attendance::marks_of(db, id).await.map_err(fail)?;
    let enrolled = schedule::enrolled(db, d.id).await.map_err(fail)?;
    let (counts, unmarked) = attendance::session_counts(&marks, &enrolled);
    let mut villages: Vec<(i32, String)> =
        enrolled.iter().filter_map(|e| e.village_id.map(|v| (v, e.village.clone()))).collect();
    villages.sort_by(|a, b| a.1.cmp(&b.1));
    villages.dedup();
    let mut rows = Vec::new();
    for e in enrolled.into_iter().filter(|e| village.is_none() || e.village_id == village) {
        let m = marks.get(&e.person_id);
        let history = match m {
            Some(m) if m.version > 1 => attendance::history_of(db, m.id)
                .await
                .map_err(fail)?
                .into_iter()
                .map(|h| {
                    let at = h.marked_at.with_timezone(&schedule::wib()).format("%d-%m-%Y %H:%M");
                    (h.status, h.source, at.to_string())
                })
                .collect(),
            _ => vec![],
        };
        rows.push(GridRow {
            person_id: e.person_id,
            name: e.name,
            position: e.position,
            village: e.village,
            kkmp: e.cooperative,
            status: m.map(|m| m.status),
            note: m.and_then(|m| m.note.clone()).unwrap_or_default(),
            reason: m.and_then(|m| m.reason.clone()).unwrap_or_default(),
            version: m.map(|m| m.version),
            source: m.map(|m| m.source),
            history,
        });
    }
    let window = attendance::open_window(db, s.id, chrono::Utc::now()).await.map_err(fail)?;
    Ok(GridView {
        session: ssr::session_view(&row),
        rows,
        counts: counts.into_iter().collect(),
        unmarked,
        villages,
        village,
        checkin: window.map(|w| CheckinState {
            closes_at: w.closes_at.with_timezone(&schedule::wib()).format("%H:%M").to_string(),
            late_after_minutes: w.late_after_minutes,
        }),
    })
}

/// What the projector shows: the current code, a QR of the check-in link, and a live count.
#[server(endpoint = "sesi-kode")]
pub async fn checkin_code(id: i32) -> Result<CodeView, ServerFnError> {
    use domain::services::{attendance, schedule};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let (_, d) = attendance::managed_session(db, &scopes, id).await.map_err(fail)?;
    let row = schedule::session(db, id).await.map_err(fail)?;
    let now = chrono::Utc::now();
    let window = attendance::open_window(db, id, now).await.map_err(fail)?;
    let marks = attendance::marks_of(db, id).await.map_err(fail)?;
    let (counts, unmarked) = attendance::session_counts(&marks, &schedule::enrolled(db, d.id).await.map_err(fail)?);
    let checked_in = counts.get(&attendance::Status::Hadir).copied().unwrap_or(0)
        + counts.get(&attendance::Status::Terlambat).copied().unwrap_or(0);
    let enrolled = counts.values().sum::<usize>() + unmarked;
    let base = use_context::<PublicUrl>().map(|p| p.0).unwrap_or_default();
    let (code, seconds_left, url, qr_svg, closes_at) = match &window {
        Some(w) => {
            let (code, left) = attendance::current_code(&state.data_key, w, now);
            let url = format!("{base}/presensi?sesi={id}&kode={code}");
            let qr = domain::qr::svg(&url, 280).unwrap_or_default();
            let closes = w.closes_at.with_timezone(&schedule::wib()).format("%H:%M").to_string();
            (code, left, url, qr, closes)
        }
        None => Default::default(),
    };
    let address = format!("{}/presensi", base.trim_start_matches("https://").trim_start_matches("http://"));
    let grace_seconds = window.as_ref().map_or(0, |w| w.grace_seconds);
    Ok(CodeView {
        address,
        grace_seconds,
        session: ssr::session_view(&row),
        open: window.is_some(),
        code,
        seconds_left,
        url,
        qr_svg,
        closes_at,
        checked_in,
        enrolled,
    })
}

/// The server's public address (for links in QR codes and calendar feeds), provided as context.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);

/// A paper attendance list: everyone enrolled, sorted by kelurahan, with a signature column.
#[server(endpoint = "sesi-daftar-hadir")]
pub async fn attendance_sheet(id: i32) -> Result<(SessionView, Vec<GridRow>), ServerFnError> {
    use domain::services::{attendance, schedule};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let (_, d) = attendance::managed_session(db, &scopes, id).await.map_err(fail)?;
    let row = schedule::session(db, id).await.map_err(fail)?;
    let mut people = schedule::enrolled(db, d.id).await.map_err(fail)?;
    people.sort_by(|a, b| (&a.village, &a.name).cmp(&(&b.village, &b.name)));
    Ok((
        ssr::session_view(&row),
        people
            .into_iter()
            .map(|e| GridRow {
                person_id: e.person_id,
                name: e.name,
                position: e.position,
                village: e.village,
                kkmp: e.cooperative,
                status: None,
                note: String::new(),
                reason: String::new(),
                version: None,
                source: None,
                history: vec![],
            })
            .collect(),
    ))
}

/// `/jadwal`: a peserta's own sessions; panitia see every session they manage from today on.
#[server(endpoint = "jadwal")]
pub async fn my_schedule() -> Result<ScheduleView, ServerFnError> {
    use domain::{auth::Role, services::schedule};
    let caller = crate::api::ssr::require_caller()?;
    let state = state()?;
    let db = state.db.read();
    let now = chrono::Utc::now();
    let staff = caller.has_role(Role::Panitia) || caller.has_role(Role::Admin);
    let rows = if staff {
        let scopes = crate::api::ssr::management_scopes(&caller);
        schedule::sessions_managed(db, &scopes, schedule::today_wib(now), 300).await.map_err(fail)?
    } else {
        schedule::sessions_for_person(db, caller.person_id).await.map_err(fail)?
    };
    let sessions: Vec<SessionView> = rows.iter().map(ssr::session_view).collect();
    let next_id = rows.iter().find(|r| r.ends_utc() > now).map(|r| r.session.id);
    let mut feeds = Vec::new();
    if !staff {
        feeds.push((
            "Jadwal saya".to_string(),
            format!(
                "/kalender/peserta/{}-{}.ics",
                caller.person_id,
                domain::services::schedule::feed_token(&state.data_key, caller.person_id)
            ),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        if seen.insert(r.session.diklat_id) {
            feeds.push((r.diklat_name.clone(), format!("/kalender/diklat/{}.ics", r.session.diklat_id)));
        }
    }
    Ok(ScheduleView { sessions, next_id, today: ssr::date_label(schedule::today_wib(now)), feeds, staff })
}

/// `/presensi`: the signed-in peserta's sessions open for check-in today, and their marks.
#[server(endpoint = "presensi")]
pub async fn checkin_page(session: Option<i32>) -> Result<CheckinPageView, ServerFnError> {
    use domain::services::{attendance, schedule};
    let caller = crate::api::ssr::require_caller()?;
    let state = state()?;
    let db = state.db.read();
    let now = chrono::Utc::now();
    let today = schedule::today_wib(now);
    let mine = schedule::sessions_for_person(db, caller.person_id).await.map_err(fail)?;
    let mut open_sessions = Vec::new();
    let mut marks_today = Vec::new();
    for r in mine.iter().filter(|r| r.session.session_date == today) {
        if attendance::open_window(db, r.session.id, now).await.map_err(fail)?.is_some() {
            open_sessions.push((
                r.session.id,
                r.session.title.clone(),
                format!("{}–{}", r.session.starts_at.format("%H:%M"), r.session.ends_at.format("%H:%M")),
            ));
        }
        if let Some(m) = attendance::marks_of(db, r.session.id).await.map_err(fail)?.remove(&caller.person_id) {
            marks_today.push((r.session.title.clone(), m.status));
        }
    }
    let session = match session {
        Some(id) => mine.iter().find(|r| r.session.id == id).map(ssr::session_view),
        None => None,
    };
    Ok(CheckinPageView { open_sessions, session, marks_today })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandingRow {
    pub name: String,
    pub kkmp: String,
    pub village: String,
    pub present: usize,
    pub sessions: usize,
    pub percent: u32,
    pub attendance_ok: bool,
    pub post_missing: Vec<String>,
    pub pre_missing: Vec<String>,
    /// Required evaluation forms not sent yet (form ids; "narasumber (2 sesi)").
    pub evaluation_missing: Vec<String>,
    pub eligible: bool,
    pub certificate: Option<IssuedCertificate>,
}

/// A participant's certificate as panitia manage it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedCertificate {
    pub id: i32,
    pub number: String,
    pub code: String,
    pub status: types::CertificateStanding,
    pub revocation_reason: Option<String>,
    /// `YYYY-MM-DD` (what a date input takes), if set.
    pub expires_on: Option<String>,
}

/// A valid certificate whose holder no longer meets the rule, awaiting a panitia's decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnmetCertificate {
    pub id: i32,
    pub number: String,
    pub name: String,
    /// What the holder now lacks, in a sentence.
    pub reasons: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandingsView {
    pub diklat_id: i32,
    pub diklat_name: String,
    pub min_attendance: i32,
    pub require_pretests: bool,
    /// The modules whose post-test the rule requires.
    pub modules: Vec<String>,
    /// dd-mm-yyyy: the last day post-tests count.
    pub tests_close_on: String,
    pub eligible: usize,
    /// Certificates may be issued now: the last session has ended, or an exception is recorded.
    pub issue_allowed: bool,
    /// When the last session ends (dd-mm-yyyy HH:MM WIB), if there are sessions.
    pub last_session_end: Option<String>,
    /// The recorded exception: (reason, when), if any.
    pub early_issue: Option<(String, String)>,
    pub unmet: Vec<UnmetCertificate>,
    pub rows: Vec<StandingRow>,
}

/// `/diklat/{id}/kelulusan`: each participant against the completion rule — what is met, what is
/// missing.
#[server(endpoint = "diklat-kelulusan")]
pub async fn diklat_standings(id: i32) -> Result<StandingsView, ServerFnError> {
    use domain::services::{certificates, schedule};
    let (_, scopes) = ssr::manager()?;
    let state = state()?;
    let db = state.db.read();
    let d = schedule::managed(db, &scopes, id).await.map_err(fail)?;
    let catalogue = state.quiz_modules();
    let modules = certificates::rule_modules(db, &d, &catalogue).await.map_err(fail)?;
    let standings = certificates::standings(db, &d, &catalogue).await.map_err(fail)?;
    let now = chrono::Utc::now();
    let today = schedule::today_wib(now);
    let issue_allowed = certificates::may_issue(db, &d, now).await.map_err(fail)?;
    let last_session_end = domain::services::windows::last_session_end(db, d.id)
        .await
        .map_err(fail)?
        .map(|t| t.with_timezone(&schedule::wib()).format("%d-%m-%Y %H:%M WIB").to_string());
    let unmet = certificates::no_longer_met(db, &d, &catalogue)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|u| UnmetCertificate {
            id: u.certificate.id,
            number: u.certificate.number,
            name: u.standing.name,
            reasons: u.reasons,
        })
        .collect();
    let mut issued: std::collections::HashMap<i32, IssuedCertificate> = certificates::of_diklat(db, d.id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| {
            let status = certificates::status_of(&c, today).standing();
            (
                c.person_id,
                IssuedCertificate {
                    id: c.id,
                    number: c.number,
                    code: c.verification_code,
                    status,
                    revocation_reason: c.revocation_reason,
                    expires_on: c.expires_on.map(|d| d.format("%Y-%m-%d").to_string()),
                },
            )
        })
        .collect();
    let rows: Vec<StandingRow> = standings
        .into_iter()
        .map(|s| StandingRow {
            certificate: issued.remove(&s.person_id),
            percent: s.attendance_percent(),
            eligible: s.eligible(),
            name: s.name,
            kkmp: s.cooperative,
            village: s.village,
            present: s.present,
            sessions: s.sessions,
            attendance_ok: s.attendance_ok,
            post_missing: s.post_missing,
            pre_missing: s.pre_missing,
            evaluation_missing: s.evaluation_missing,
        })
        .collect();
    Ok(StandingsView {
        diklat_id: d.id,
        min_attendance: d.min_attendance_pct,
        require_pretests: d.require_pretests,
        modules: modules.into_iter().map(|(_, title)| title).collect(),
        tests_close_on: domain::services::windows::close_on(&d).format("%d-%m-%Y").to_string(),
        eligible: rows.iter().filter(|r| r.eligible).count(),
        issue_allowed,
        last_session_end,
        early_issue: d
            .early_issue_reason
            .clone()
            .zip(d.early_issue_at.map(|t| t.with_timezone(&schedule::wib()).format("%d-%m-%Y %H:%M WIB").to_string())),
        unmet,
        diklat_name: d.name,
        rows,
    })
}
