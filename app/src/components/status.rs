use crate::app::use_lang;
use leptos::prelude::*;

/// A failed load, as a sentence (the detail is in the server log).
#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    let t = use_lang().t();
    view! {
        <div class="notice notice-error" role="alert">
            <strong>{t.error_title}</strong>
            <p>{message}</p>
        </div>
    }
}

/// Shows `Ok` content or, on error, an [`ErrorNotice`].
pub fn or_error<T: IntoView + 'static>(result: Result<T, leptos::prelude::ServerFnError>) -> AnyView {
    match result {
        Ok(v) => v.into_any(),
        Err(e) => view! { <ErrorNotice message=server_fn_message(&e)/> }.into_any(),
    }
}

/// The user-facing sentence inside a server function error.
pub fn server_fn_message(e: &leptos::prelude::ServerFnError) -> String {
    match e {
        leptos::prelude::ServerFnError::ServerError(m) => m.clone(),
        _ => use_lang().t().error_text.to_string(),
    }
}

/// The one-time message from the last form post, if any.
#[component]
pub fn FlashNotice(flash: Option<crate::api::Flash>) -> impl IntoView {
    flash.map(|f| {
        let class = if f.ok { "notice notice-ok" } else { "notice notice-error" };
        view! {
            <div class=class role=if f.ok { "status" } else { "alert" } data-testid="flash">
                {f.text}
            </div>
        }
    })
}
