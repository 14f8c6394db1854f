use crate::{
    components::layout::Layout,
    i18n::Lang,
    pages::{
        home::Home,
        not_found::NotFound,
        regions::{RegencyPage, RegionsPage},
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

/// The application: language from the visitor's cookie, the layout, the routes.
///
/// Pages that load data render with `SsrMode::Async`: the whole page is sent once its data is
/// ready, so it reads the same without JavaScript and can answer with a 404 status.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = request_lang();
    provide_context(lang);
    view! {
        <Html attr:lang=lang.code()/>
        <Title formatter=|title: String| if title.is_empty() { "Diklat KKMP".to_string() } else { format!("{title} — Diklat KKMP") }/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/wilayah") view=RegionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/wilayah/:code") view=RegencyPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// The visitor's language, from the `lang` cookie (Indonesian by default).
#[cfg(feature = "ssr")]
fn request_lang() -> Lang {
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
fn request_lang() -> Lang {
    Lang::default()
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}
