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
    // A refused form's error is shown beside its field, in the form (see [`Refusal`]).
    flash.filter(|f| f.echo.is_none()).map(|f| {
        let class = if f.ok { "notice notice-ok" } else { "notice notice-error" };
        view! {
            <div class=class role=if f.ok { "status" } else { "alert" } data-testid="flash">
                {f.text}
            </div>
        }
    })
}

/// A form refused by the server, come back with its input: the echo, and the error message.
#[derive(Clone, Copy)]
pub struct Refusal<'a> {
    pub echo: &'a crate::api::FormEcho,
    pub message: &'a str,
    /// A result placed at its form (the bulk enrolment's count), not a refusal.
    pub ok: bool,
}

impl<'a> Refusal<'a> {
    /// The refusal of the form named `form` in `flash`, if that is what the flash carries.
    pub fn of(flash: Option<&'a crate::api::Flash>, form: &str) -> Option<Refusal<'a>> {
        let f = flash?;
        f.echo_of(form).map(|echo| Refusal { echo, message: f.text.as_str(), ok: f.ok })
    }

    /// The value typed into `name`, else `fallback`.
    pub fn value_or(refusal: Option<Refusal<'_>>, name: &str, fallback: String) -> String {
        refusal.and_then(|r| r.echo.value(name)).unwrap_or(fallback)
    }

    /// The error beside the field labelled `label` (the label the service names it by), if it
    /// is the one refused.
    pub fn beside(refusal: Option<Refusal<'_>>, label: &str) -> Option<AnyView> {
        let r = refusal.filter(|r| r.echo.field == label)?;
        let message = r.message.to_string();
        Some(view! { <span class="field-error" role="alert" data-testid="field-error">{message}</span> }.into_any())
    }

    /// The message at the top of the form, when it names no field the form shows (`labels`): an
    /// error, or a result placed at its form.
    pub fn above(refusal: Option<Refusal<'_>>, labels: &[&str]) -> Option<AnyView> {
        let r = refusal.filter(|r| !labels.contains(&r.echo.field.as_str()))?;
        let message = r.message.to_string();
        Some(if r.ok {
            view! { <p class="notice notice-ok" role="status" data-testid="form-result">{message}</p> }.into_any()
        } else {
            view! { <p class="notice notice-error" role="alert" data-testid="field-error">{message}</p> }.into_any()
        })
    }
}
