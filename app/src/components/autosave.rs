//! Autosave for a quiz attempt once the page is hydrated: every change is saved in the background
//! (the same fields the form posts), so a dropped connection or a closed tab loses at most the
//! last second. Without JavaScript the form's buttons save.

use crate::i18n::Lang;
use leptos::prelude::*;

/// The attempt form the island watches.
pub const QUIZ_FORM_ID: &str = "attempt-form";

#[island]
pub fn QuizAutosave(attempt_id: i64, lang: Lang) -> impl IntoView {
    let status = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        watch(attempt_id, lang, status);
        status.set(
            lang.pick("Jawaban tersimpan otomatis setiap kali Anda menjawab.", "Answers are saved as you go.").into(),
        );
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (attempt_id, lang);
    view! { <p class="autosave muted" role="status" aria-live="polite" data-testid="autosave">{move || status.get()}</p> }
}

#[cfg(feature = "hydrate")]
fn watch(attempt_id: i64, lang: Lang, status: RwSignal<String>) {
    use std::{cell::RefCell, rc::Rc, time::Duration};
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(form) =
        document().get_element_by_id(QUIZ_FORM_ID).and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    let pending: Rc<RefCell<Option<TimeoutHandle>>> = Rc::default();
    for (event, wait) in [("change", 400), ("input", 1500)] {
        let (watched, pending) = (form.clone(), pending.clone());
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            if let Some(handle) = pending.borrow_mut().take() {
                handle.clear();
            }
            let form = watched.clone();
            let handle =
                set_timeout_with_handle(move || save(attempt_id, &form, lang, status), Duration::from_millis(wait))
                    .ok();
            *pending.borrow_mut() = handle;
        });
        let _ = form.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
}

#[cfg(feature = "hydrate")]
fn save(attempt_id: i64, form: &web_sys::HtmlFormElement, lang: Lang, status: RwSignal<String>) {
    let Ok(data) = web_sys::FormData::new_with_form(form) else { return };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else { return };
    let fields: String = params.to_string().into();
    leptos::task::spawn_local(async move {
        match crate::quiz_api::autosave_answers(attempt_id, fields).await {
            Ok(at) => status.set(format!("✓ {} {at}", lang.pick("Tersimpan otomatis pukul", "Saved at"))),
            Err(ServerFnError::ServerError(message)) => status.set(message),
            Err(_) => status.set(
                lang.pick(
                    "Belum tersimpan: periksa koneksi, lalu tekan Simpan jawaban.",
                    "Not saved: check the connection, then press Save answers.",
                )
                .into(),
            ),
        }
    });
}
