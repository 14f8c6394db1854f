//! Data the pages show, and the server functions that fetch it. Server functions are public
//! HTTP endpoints: each one checks who may call it (those here serve public reference data and
//! need no sign-in) and delegates to one domain service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Peserta,
    Panitia,
    Pejabat,
    Admin,
}

/// The signed-in person, as the layout and pages need them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub roles: Vec<Role>,
}

/// A one-time message carried in the session from a form post to the page that follows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    /// The message in the page's language ([`take_flash`] puts the English here for an English
    /// page); as stored, the Bahasa Indonesia.
    pub text: String,
    /// The English of `text`, as stored.
    #[serde(default)]
    pub text_en: String,
    /// The sign-in identifier to put back in the form after a failed attempt.
    pub login: Option<String>,
    /// A refused form's input, to show it again as typed with the error beside its field.
    #[serde(default)]
    pub echo: Option<FormEcho>,
}

/// What a refused form held: which form (`diklat`, `sesi-baru`, `sesi-12`), the field the error
/// is about (its label, as the service names it: "Jam selesai"), and every value as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FormEcho {
    pub form: String,
    pub field: String,
    pub values: Vec<(String, String)>,
}

impl FormEcho {
    /// The value typed into `name`, if the form sent one.
    pub fn value(&self, name: &str) -> Option<String> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// Whether a checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.values.iter().any(|(k, _)| k == name)
    }
}

impl Flash {
    pub const KEY: &'static str = "flash";

    pub fn error(text: types::Text) -> Flash {
        Flash { ok: false, text: text.id, text_en: text.en, login: None, echo: None }
    }

    pub fn ok(text: types::Text) -> Flash {
        Flash { ok: true, text: text.id, text_en: text.en, login: None, echo: None }
    }

    /// This flash with its message in `lang`.
    pub fn in_lang(mut self, lang: crate::i18n::Lang) -> Flash {
        if lang == crate::i18n::Lang::En && !self.text_en.is_empty() {
            self.text = std::mem::take(&mut self.text_en);
        }
        self
    }

    /// The error of a refused form, carrying its input back: `values` as posted, never cut, up to
    /// 100 fields and 256 KiB in all (a flash lives in the session); fields past that show what is
    /// stored instead.
    pub fn refused(text: types::Text, form: &str, field: &str, values: Vec<(String, String)>) -> Flash {
        let mut room = 256 * 1024usize;
        let values = values
            .into_iter()
            .take(100)
            .filter(|(k, v)| {
                let size = k.len() + v.len();
                let fits = size <= room;
                if fits {
                    room -= size;
                }
                fits
            })
            .collect();
        Flash {
            echo: Some(FormEcho { form: form.to_string(), field: field.to_string(), values }),
            ..Flash::error(text)
        }
    }

    /// A message shown at the form it answers (`form`, with its choices as posted) instead of
    /// at the top of the page: a result the reader would not see above the viewport.
    pub fn at_form(mut self, form: &str, values: Vec<(String, String)>) -> Flash {
        self.echo = Some(FormEcho { form: form.to_string(), field: String::new(), values });
        self
    }

    /// The echo of `form`, when this flash carries one.
    pub fn echo_of(&self, form: &str) -> Option<&FormEcho> {
        self.echo.as_ref().filter(|e| e.form == form)
    }

    pub fn with_login(mut self, login: &str) -> Flash {
        self.login = Some(login.chars().take(100).collect());
        self
    }
}

/// The signed-in person's own data (built by `domain::services::people::profile`).
pub use types::views::AccountView;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub jp: u32,
    /// "pengurus", "pengawas" or "keduanya"
    pub audience: String,
    pub sections: usize,
    /// Reading time in minutes at 200 words a minute.
    pub minutes: usize,
    /// The signed-in reader's progress (absent when nobody is signed in).
    pub progress: Option<ProgressView>,
}

/// How far a reader is through a module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub read: usize,
    pub total: usize,
    /// Where "lanjutkan" leads: (anchor, section title); none once every section is read.
    pub resume: Option<(String, String)>,
}

impl ProgressView {
    pub fn complete(&self) -> bool {
        self.read >= self.total
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleSectionView {
    pub anchor: String,
    pub title: String,
    pub html: String,
    /// Read by the signed-in reader.
    pub read: bool,
}

/// A module page: front matter and the sanitised HTML rendered at start-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleView {
    pub card: ModuleCard,
    pub objectives: Vec<String>,
    pub version: String,
    pub last_reviewed: String,
    /// The date by which the module is to be reviewed again, if set.
    pub review_by: Option<String>,
    /// (version, date, what changed), newest first.
    pub changelog: Vec<(String, String, String)>,
    pub legal_basis: Vec<(String, u16)>,
    pub intro_html: String,
    pub sections: Vec<ModuleSectionView>,
    pub footnotes_html: String,
    /// The module has a question bank: pre-test and post-test links.
    pub has_quiz: bool,
}

pub use types::views::{DistrictOverview, RegencyOverview, RegencySummary, VillageOverview};

#[cfg(feature = "ssr")]
pub mod ssr {
    use domain::auth::Caller;
    pub use domain::AppState;
    use leptos::prelude::*;

    /// The signed-in caller of this request, if any.
    pub fn caller() -> Option<Caller> {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Caller>().cloned())
    }

    /// The signed-in caller, or a 401 error.
    pub fn require_caller() -> Result<Caller, ServerFnError> {
        caller().ok_or_else(|| fail(domain::AppError::Unauthorized))
    }

    /// The caller, when they hold one of `roles`; otherwise 401 (nobody signed in) or 403.
    pub fn require_roles(roles: &[domain::auth::Role]) -> Result<Caller, ServerFnError> {
        let caller = require_caller()?;
        caller.require_any(roles).map_err(fail)?;
        Ok(caller)
    }

    /// The regions in which the caller manages people (as panitia or admin).
    pub fn management_scopes(caller: &Caller) -> Vec<domain::auth::Scope> {
        caller.management_scopes()
    }

    /// The client's address as the server worked it out for this request (its proxy setting
    /// applied), for per-address limits.
    pub fn client_address() -> String {
        use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<domain::services::audit::ClientAddress>().map(|c| c.0.clone()))
            .unwrap_or_default()
    }

    /// This request's session (present on every request; stored only once written to).
    pub fn session() -> Option<tower_sessions::Session> {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<tower_sessions::Session>().cloned())
    }

    /// What the page shows of a reading.
    pub fn progress_view(m: &domain::content::Module, r: &domain::services::progress::Reading) -> super::ProgressView {
        super::ProgressView {
            read: r.read_count(m),
            total: m.rendered.sections.len(),
            resume: r.resume_anchor(m).and_then(|a| {
                m.rendered.sections.iter().find(|s| s.anchor == a).map(|s| (s.anchor.clone(), s.title.clone()))
            }),
        }
    }

    pub fn module_card(
        m: &domain::content::Module,
        reading: Option<&domain::services::progress::Reading>,
    ) -> super::ModuleCard {
        super::ModuleCard {
            slug: m.meta.slug.clone(),
            title: m.meta.title.clone(),
            summary: m.meta.summary.clone(),
            jp: m.meta.jp,
            audience: format!("{:?}", m.meta.audience).to_lowercase(),
            sections: m.rendered.sections.len(),
            minutes: m.rendered.words.div_ceil(200),
            progress: reading.map(|r| progress_view(m, r)),
        }
    }

    impl From<&Caller> for super::Viewer {
        fn from(c: &Caller) -> super::Viewer {
            use domain::auth::Role as R;
            super::Viewer {
                name: c.name.clone(),
                roles: c
                    .roles()
                    .into_iter()
                    .map(|r| match r {
                        R::Peserta => super::Role::Peserta,
                        R::Panitia => super::Role::Panitia,
                        R::Pejabat => super::Role::Pejabat,
                        R::Admin => super::Role::Admin,
                    })
                    .collect(),
            }
        }
    }

    pub fn state() -> Result<AppState, ServerFnError> {
        use_context::<AppState>().ok_or_else(|| ServerFnError::ServerError("server state missing".into()))
    }

    /// Maps a domain error to the sentence the user sees, and sets the HTTP status of the
    /// page or call. Server faults are logged with their detail.
    pub fn fail(e: domain::AppError) -> ServerFnError {
        if e.status() >= 500 {
            leptos::logging::error!("server function failed: {e:?}");
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response
                .set_status(http::StatusCode::from_u16(e.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        }
        ServerFnError::ServerError(e.public_text().get(crate::app::request_lang() == crate::i18n::Lang::En).to_string())
    }
}

/// The loaded modules, in order (from memory; no database read).
#[server]
pub async fn list_modules() -> Result<Vec<ModuleCard>, ServerFnError> {
    let state = ssr::state()?;
    let readings = match ssr::caller() {
        Some(caller) => {
            Some(domain::services::progress::of_person(state.db.read(), caller.person_id).await.map_err(ssr::fail)?)
        }
        None => None,
    };
    let empty = domain::services::progress::Reading::default();
    Ok(state
        .content
        .modules
        .iter()
        .map(|m| {
            let reading = readings
                .as_ref()
                .map(|all| state.module_ids.get(&m.meta.slug).and_then(|id| all.get(id)).unwrap_or(&empty));
            ssr::module_card(m, reading)
        })
        .collect())
}

/// Every kabupaten/kota with its counts of kecamatan, kelurahan/desa and KKMP.
#[server]
pub async fn list_regencies() -> Result<Vec<RegencySummary>, ServerFnError> {
    let state = ssr::state()?;
    domain::services::regions::regency_summaries(state.db.read()).await.map_err(ssr::fail)
}

/// One kabupaten/kota with its kecamatan, kelurahan/desa and their KKMP.
#[server]
pub async fn regency_detail(code: String) -> Result<RegencyOverview, ServerFnError> {
    let state = ssr::state()?;
    domain::services::regions::regency_overview(state.db.read(), &code).await.map_err(ssr::fail)
}

/// Takes (and so removes) the flash message left by the last form post.
#[server]
pub async fn take_flash() -> Result<Option<Flash>, ServerFnError> {
    let Some(session) = ssr::session() else { return Ok(None) };
    // `remove` marks the session modified even when the key is absent, which would write (or
    // create) a session row on every page view: look first.
    match session.get::<Flash>(Flash::KEY).await {
        Ok(Some(_)) => {
            Ok(session.remove::<Flash>(Flash::KEY).await.ok().flatten().map(|f| f.in_lang(crate::app::request_lang())))
        }
        _ => Ok(None),
    }
}

/// The signed-in person's own data; 401 when nobody is signed in.
#[server]
pub async fn my_account() -> Result<AccountView, ServerFnError> {
    let caller = ssr::require_caller()?;
    let state = ssr::state()?;
    domain::services::people::profile(state.db.read(), &caller).await.map_err(ssr::fail)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonListRow {
    pub id: i32,
    pub name: String,
    pub nik_masked: Option<String>,
    pub phone: Option<String>,
    pub position: Option<types::Jabatan>,
    pub cooperative: String,
    pub village: String,
    pub district: String,
    pub has_password: bool,
    pub is_active: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleListView {
    pub rows: Vec<PersonListRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// (id, label) of the kecamatan the caller may filter by.
    pub districts: Vec<(i32, String)>,
}

/// Participants in the caller's region (panitia and admin only), searchable and paged.
#[server(endpoint = "peserta")]
pub async fn list_people(
    q: Option<String>,
    kecamatan: Option<i32>,
    page: Option<u64>,
) -> Result<PeopleListView, ServerFnError> {
    use domain::auth::{ids::mask_nik, Role};
    use domain::services::people;
    let caller = ssr::require_roles(&[Role::Panitia, Role::Admin])?;
    let scopes = ssr::management_scopes(&caller);
    let state = ssr::state()?;
    let query =
        people::PeopleQuery { q, district_id: kecamatan, village_id: None, page: page.unwrap_or(1), per_page: 50 };
    let found = people::list(state.db.read(), &scopes, &query).await.map_err(ssr::fail)?;
    let districts = people::districts_in_scope(state.db.read(), &scopes).await.map_err(ssr::fail)?;
    Ok(PeopleListView {
        rows: found
            .rows
            .into_iter()
            .map(|r| PersonListRow {
                id: r.id,
                name: r.full_name,
                nik_masked: r.nik.as_deref().map(mask_nik),
                phone: r.phone.as_deref().map(domain::auth::ids::local_phone),
                position: r.position,
                cooperative: r.cooperative,
                village: r.village,
                district: r.district,
                has_password: r.has_password,
                is_active: r.is_active,
            })
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
        districts,
    })
}

/// The outcome of the last import, shown once on `/peserta/impor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReportView {
    pub file_name: String,
    pub rows: usize,
    pub imported: usize,
    /// (line, column, problem in Bahasa Indonesia), the first ones only.
    pub errors: Vec<(usize, String, String)>,
    /// The problems of `errors` in English, in the same order (empty in a report stored before
    /// they were kept). [`take_import_report`] swaps them in on an English page.
    #[serde(default)]
    pub errors_en: Vec<String>,
    pub error_count: usize,
}

impl ImportReportView {
    pub const KEY: &'static str = "import_report";
    /// How many row errors are kept for display.
    pub const SHOWN: usize = 300;
}

/// Takes the report of the last import (panitia and admin only).
#[server(endpoint = "laporan-impor")]
pub async fn take_import_report() -> Result<Option<ImportReportView>, ServerFnError> {
    use domain::auth::Role;
    ssr::require_roles(&[Role::Panitia, Role::Admin])?;
    let Some(session) = ssr::session() else { return Ok(None) };
    let report = session.remove::<ImportReportView>(ImportReportView::KEY).await.ok().flatten();
    Ok(report.map(|mut r| {
        // The page reads `errors` only: it gets them in its language.
        let english = std::mem::take(&mut r.errors_en);
        if crate::app::request_lang() == crate::i18n::Lang::En {
            for ((_, _, message), en) in r.errors.iter_mut().zip(english) {
                if !en.is_empty() {
                    *message = en;
                }
            }
        }
        r
    }))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedCodeView {
    pub name: String,
    pub contact: String,
    pub village: String,
    pub district: String,
    pub code: String,
    /// The activation link with the code filled in.
    pub link: String,
    pub reset: bool,
}

/// Codes just issued, shown once on `/peserta/kode` for printing or sending.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedCodesView {
    /// dd-mm-yyyy
    pub expires: String,
    pub codes: Vec<IssuedCodeView>,
}

impl IssuedCodesView {
    /// The session key under which the sealed codes wait for the code sheet.
    pub const KEY: &'static str = "issued_codes_sealed";
    /// The data key's purpose for sealing them.
    pub const PURPOSE: &'static str = "issued-codes-in-session";
}

/// Takes the codes issued by the last request (panitia and admin only). They wait in the
/// session (a database row) only sealed under the data key (`routes::codes`), so whoever reads
/// the database cannot redeem them.
#[server(endpoint = "kode-terbit")]
pub async fn take_issued_codes() -> Result<Option<IssuedCodesView>, ServerFnError> {
    use domain::auth::Role;
    ssr::require_roles(&[Role::Panitia, Role::Admin])?;
    let state = ssr::state()?;
    let Some(session) = ssr::session() else { return Ok(None) };
    let Some(sealed) = session.remove::<String>(IssuedCodesView::KEY).await.ok().flatten() else { return Ok(None) };
    Ok(state.data_key.open_json(IssuedCodesView::PURPOSE, &sealed))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonEditView {
    pub id: i32,
    pub name: String,
    /// The whole NIK: only panitia editing the person see it.
    pub nik: String,
    pub phone: String,
    pub email: String,
    pub position: Option<types::Jabatan>,
    pub cooperative: String,
    pub village: String,
    pub district: String,
    pub has_password: bool,
    pub is_active: bool,
    /// The account also holds a role the caller may not touch (a panitia looking at a
    /// participant who is an admin, …): shown, but not editable, resettable or deactivatable.
    pub protected: bool,
}

/// One participant for editing (panitia and admin, inside their region; 404 outside it).
#[server(endpoint = "peserta-detail")]
pub async fn person_detail(id: i32) -> Result<PersonEditView, ServerFnError> {
    use domain::auth::Role;
    let caller = ssr::require_roles(&[Role::Panitia, Role::Admin])?;
    let state = ssr::state()?;
    let p = domain::services::people::detail(state.db.read(), &ssr::management_scopes(&caller), id)
        .await
        .map_err(ssr::fail)?;
    let protected = match domain::services::people::manageable(state.db.read(), &caller, id).await {
        Ok(_) => false,
        Err(domain::AppError::Forbidden) => true,
        Err(e) => return Err(ssr::fail(e)),
    };
    Ok(PersonEditView {
        protected,
        id: p.id,
        name: p.full_name,
        nik: p.nik.unwrap_or_default(),
        phone: p.phone.as_deref().map(domain::auth::ids::local_phone).unwrap_or_default(),
        email: p.email.unwrap_or_default(),
        position: p.position,
        cooperative: p.cooperative,
        village: p.village,
        district: p.district,
        has_password: p.has_password,
        is_active: p.is_active,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    /// dd-mm-yyyy HH:MM WIB
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: Option<String>,
    /// The client's address, for lines written while handling a request.
    pub ip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    pub total: u64,
    pub page: u64,
}

/// The audit log, newest first (admin only).
#[server(endpoint = "audit")]
pub async fn list_audit(action: Option<String>, page: Option<u64>) -> Result<AuditPage, ServerFnError> {
    use domain::auth::Role;
    ssr::require_roles(&[Role::Admin])?;
    let state = ssr::state()?;
    let page = page.unwrap_or(1).max(1);
    let (rows, total) =
        domain::services::audit::list(state.db.read(), action.as_deref(), page).await.map_err(ssr::fail)?;
    let wib = domain::services::clock::wib();
    Ok(AuditPage {
        lines: rows
            .into_iter()
            .map(|r| AuditLine {
                id: r.id,
                at: r.at.with_timezone(&wib).format("%d-%m-%Y %H:%M").to_string(),
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                detail: r.detail,
                ip: r.ip,
            })
            .collect(),
        total,
        page,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffGrantView {
    pub id: i32,
    pub name: String,
    pub login: String,
    pub role: types::Role,
    pub scope: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffRolesView {
    pub grants: Vec<StaffGrantView>,
    /// (form value, label)
    pub scopes: Vec<(String, String)>,
}

/// Staff role grants and the scopes that can be granted (admin only).
#[server(endpoint = "peran-staf")]
pub async fn staff_roles() -> Result<StaffRolesView, ServerFnError> {
    use domain::auth::Role;
    ssr::require_roles(&[Role::Admin])?;
    let state = ssr::state()?;
    let grants = domain::services::roles::staff_grants(state.db.read()).await.map_err(ssr::fail)?;
    let scopes = domain::services::roles::scope_options(state.db.read()).await.map_err(ssr::fail)?;
    Ok(StaffRolesView {
        grants: grants
            .into_iter()
            .map(|g| StaffGrantView { id: g.grant_id, name: g.name, login: g.login, role: g.role, scope: g.scope })
            .collect(),
        scopes,
    })
}

/// One module, ready to show (public: the modules are open to read; progress needs sign-in).
#[server(endpoint = "modul")]
pub async fn module_page(slug: String) -> Result<ModuleView, ServerFnError> {
    let state = ssr::state()?;
    let (m, module_id) = state.module(&slug).ok_or_else(|| ssr::fail(domain::AppError::NotFound))?;
    let reading = match ssr::caller() {
        Some(caller) => Some(state.reading(caller.person_id, module_id).await.map_err(ssr::fail)?),
        None => None,
    };
    Ok(ModuleView {
        card: ssr::module_card(m, reading.as_deref()),
        objectives: m.meta.objectives.clone(),
        version: m.meta.version.clone(),
        last_reviewed: m.meta.last_reviewed.to_string(),
        review_by: m.meta.review_by.as_ref().map(ToString::to_string),
        changelog: m
            .meta
            .changelog
            .iter()
            .map(|c| (c.version.clone(), c.date.to_string(), c.changes.clone()))
            .collect(),
        legal_basis: m.meta.legal_basis.iter().map(|l| (l.title.clone(), l.year)).collect(),
        intro_html: m.rendered.intro_html.clone(),
        sections: m
            .rendered
            .sections
            .iter()
            .map(|s| ModuleSectionView {
                anchor: s.anchor.clone(),
                title: s.title.clone(),
                html: s.html.clone(),
                read: reading.as_ref().is_some_and(|r| r.is_read(&s.anchor)),
            })
            .collect(),
        footnotes_html: m.rendered.footnotes_html.clone(),
        has_quiz: state.banks.contains_key(&slug),
    })
}
