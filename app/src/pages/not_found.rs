use crate::app::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page; also sets the response status during server rendering.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = use_lang().t();
    view! {
        <Title text=t.not_found_title/>
        <section class="narrow">
            <h1>{t.not_found_title}</h1>
            <p>{t.not_found_text}</p>
            <p>
                <a class="button" href="/">{t.back_home}</a>
            </p>
        </section>
    }
}
