use crate::{
    api::Viewer,
    components::{layout::Layout, raw_text::rcdata},
    i18n::Lang,
    pages::{
        account::AccountPage,
        attendance::{CodePage, PresensiPage, SchedulePage, SessionPage, SheetPage},
        audit::AuditLogPage,
        codes::{ActivatePage, IssuedCodesPage},
        diklat::{DiklatListPage, DiklatPage, EnrolledPage},
        home::Home,
        import::ImportPage,
        login::LoginPage,
        modules::{ModulePage, ModulesPage},
        new_person::NewPersonPage,
        not_found::NotFound,
        people::PeoplePage,
        person::PersonPage,
        quiz::{AttemptPage, QuizPage, QuizResultsPage},
        regions::{RegencyPage, RegionsPage},
        roles::RolesPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    allow_only_this_pages_scripts();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#9b1c1c"/>
                <link rel="stylesheet" href="/pkg/diklat.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The Content-Security-Policy every response carries; `nonce` is the page's own (see
/// `allow_only_this_pages_scripts`). Without one no script runs at all (JSON, files, error pages).
/// Scripts: only those the server wrote into this page with its nonce, what they load
/// (`'strict-dynamic'`: the islands' module and wasm), and compiling that wasm. No inline event
/// handlers, no `javascript:` URLs, no script from anywhere else.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'nonce-{n}' 'strict-dynamic' 'wasm-unsafe-eval'"),
        None => "script-src 'none'".to_string(),
    };
    format!(
        "default-src 'self'; {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
    )
}

/// Gives the page a fresh nonce's policy: Leptos puts the nonce (provided per request, see the
/// server's router) on the hydration scripts it writes, and nothing else in the page has it.
#[cfg(feature = "ssr")]
fn allow_only_this_pages_scripts() {
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// The application: language from the visitor's cookie, the layout, the routes.
///
/// Pages that load data render with `SsrMode::Async`: the whole page is sent once its data is
/// ready, so it reads the same without JavaScript and can answer with a 404 status.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = request_lang();
    provide_context(lang);
    provide_context(request_viewer());
    view! {
        <Html attr:lang=lang.code()/>
        <Title formatter=|title: String| rcdata(if title.is_empty() { "Diklat KKMP".to_string() } else { format!("{title} — Diklat KKMP") })/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/wilayah") view=RegionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/wilayah/:code") view=RegencyPage ssr=SsrMode::Async/>
                    <Route path=path!("/modul") view=ModulesPage ssr=SsrMode::Async/>
                    <Route path=path!("/modul/:slug") view=ModulePage ssr=SsrMode::Async/>
                    <Route path=path!("/masuk") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/akun") view=signed_in(AccountPage) ssr=SsrMode::Async/>
                    <Route path=path!("/peserta") view=signed_in(PeoplePage) ssr=SsrMode::Async/>
                    <Route path=path!("/peserta/impor") view=signed_in(ImportPage) ssr=SsrMode::Async/>
                    <Route path=path!("/peserta/kode") view=signed_in(IssuedCodesPage) ssr=SsrMode::Async/>
                    <Route path=path!("/peserta/baru") view=signed_in(NewPersonPage) ssr=SsrMode::Async/>
                    <Route path=path!("/aktivasi") view=ActivatePage ssr=SsrMode::Async/>
                    <Route path=path!("/peserta/:id") view=signed_in(PersonPage) ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view=signed_in(AuditLogPage) ssr=SsrMode::Async/>
                    <Route path=path!("/admin/peran") view=signed_in(RolesPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat") view=signed_in(DiklatListPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat/:id") view=signed_in(DiklatPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat/:id/peserta") view=signed_in(EnrolledPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat/:id/kuis") view=signed_in(QuizResultsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat/:id/kelulusan") view=signed_in(crate::pages::standings::StandingsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/sesi/:id") view=signed_in(SessionPage) ssr=SsrMode::Async/>
                    <Route path=path!("/sesi/:id/kode") view=signed_in(CodePage) ssr=SsrMode::Async/>
                    <Route path=path!("/sesi/:id/daftar-hadir") view=signed_in(SheetPage) ssr=SsrMode::Async/>
                    <Route path=path!("/jadwal") view=signed_in(SchedulePage) ssr=SsrMode::Async/>
                    <Route path=path!("/evaluasi") view=signed_in(crate::pages::evaluation::EvaluationsPage) ssr=SsrMode::Async/>
                    <Route path=path!("/evaluasi/narasumber/:id") view=signed_in(crate::pages::evaluation::SpeakerAcrossPage) ssr=SsrMode::Async/>
                    <Route path=path!("/evaluasi/:diklat/:form/:session") view=signed_in(crate::pages::evaluation::EvaluationFormPage) ssr=SsrMode::Async/>
                    <Route path=path!("/diklat/:id/evaluasi") view=signed_in(crate::pages::evaluation::EvaluationReportPage) ssr=SsrMode::Async/>
                    <Route path=path!("/presensi") view=signed_in(PresensiPage) ssr=SsrMode::Async/>
                    <Route path=path!("/bank-soal/:slug") view=signed_in(crate::pages::bank::BankPage) ssr=SsrMode::Async/>
                    <Route path=path!("/kuis/:slug/:fase") view=signed_in(QuizPage) ssr=SsrMode::Async/>
                    <Route path=path!("/percobaan/:id") view=signed_in(AttemptPage) ssr=SsrMode::Async/>
                    <Route path=path!("/verifikasi") view=crate::pages::certificates::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/verifikasi/:code") view=crate::pages::certificates::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/sertifikat") view=signed_in(crate::pages::certificates::MyCertificatesPage) ssr=SsrMode::Async/>
                    <Route path=path!("/sertifikat/unduhan/:id") view=signed_in(crate::pages::certificates::ZipProgressPage) ssr=SsrMode::Async/>
                    <Route path=path!("/laporan") view=signed_in(crate::pages::report::ReportPage) ssr=SsrMode::Async/>
                    <Route path=path!("/laporan/cetak") view=signed_in(crate::pages::report::ReportPrintPage) ssr=SsrMode::Async/>
                    <Route path=path!("/capaian") view=crate::pages::report::CapaianPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// The visitor's language, from the `lang` cookie (Indonesian by default).
#[cfg(feature = "ssr")]
pub(crate) fn request_lang() -> Lang {
    use_context::<http::request::Parts>()
        .map(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(Lang::from_cookie_header)
                .find(|l| *l != Lang::Id)
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub(crate) fn request_lang() -> Lang {
    Lang::default()
}

/// The signed-in person of this request (put there by the session middleware).
#[cfg(feature = "ssr")]
fn request_viewer() -> Option<Viewer> {
    crate::api::ssr::caller().as_ref().map(Viewer::from)
}

#[cfg(not(feature = "ssr"))]
fn request_viewer() -> Option<Viewer> {
    None
}

/// The signed-in person, if any.
pub fn use_viewer() -> Option<Viewer> {
    use_context::<Option<Viewer>>().flatten()
}

/// Sends the visitor to the sign-in page when nobody is signed in, with the way back to the very
/// URL they asked for (path and query). Returns whether someone is signed in.
fn require_sign_in() -> bool {
    if use_viewer().is_some() {
        return true;
    }
    // A page is always a navigation: answer with a real redirect (leptos_axum::redirect only does
    // so when the request's Accept header names text/html).
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        let location = leptos_router::hooks::use_location();
        let (path, query) = (location.pathname.get_untracked(), location.search.get_untracked());
        let here = if query.is_empty() { path } else { format!("{path}?{query}") };
        let target = format!("/masuk?ke={}", crate::i18n::encode_component(&here));
        if let Ok(location) = http::HeaderValue::from_str(&target) {
            response.insert_header(http::header::LOCATION, location);
            response.set_status(http::StatusCode::SEE_OTHER);
        }
    }
    false
}

/// A route only a signed-in person may open ([`require_sign_in`]): the page itself renders only
/// for them, so no page repeats the check.
fn signed_in<V: IntoView + 'static>(page: fn() -> V) -> impl Fn() -> AnyView + Send + Clone + 'static {
    move || if require_sign_in() { page().into_any() } else { ().into_any() }
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}
