//! Autosave for a quiz attempt once the page is hydrated: every change is saved in the background
//! (the form itself, posted for data to the same handler as its buttons), so a dropped connection or a closed tab loses at most the
//! last second. Without JavaScript the form's buttons save.

use crate::i18n::Lang;
use leptos::prelude::*;

/// The attempt form the island watches.
pub const QUIZ_FORM_ID: &str = "attempt-form";

#[island]
pub fn QuizAutosave(lang: Lang) -> impl IntoView {
    let status = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        watch(lang, status);
        status.set(
            lang.pick("Jawaban tersimpan otomatis setiap kali Anda menjawab.", "Answers are saved as you go.").into(),
        );
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
    view! { <p class="autosave muted" role="status" aria-live="polite" data-testid="autosave">{move || status.get()}</p> }
}

#[cfg(feature = "hydrate")]
fn watch(lang: Lang, status: RwSignal<String>) {
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
            let handle = set_timeout_with_handle(move || save(&form, lang, status), Duration::from_millis(wait)).ok();
            *pending.borrow_mut() = handle;
        });
        let _ = form.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
}

/// Posts the attempt form itself (`/kuis/jawab`) for data: the answers are saved, nothing is
/// submitted.
#[cfg(feature = "hydrate")]
fn save(form: &web_sys::HtmlFormElement, lang: Lang, status: RwSignal<String>) {
    use super::form_post::{post_form, Failed};
    let form = form.clone();
    leptos::task::spawn_local(async move {
        match post_form::<crate::quiz_api::Autosaved>(&form).await {
            Ok(saved) => status.set(format!("✓ {} {}", lang.pick("Tersimpan otomatis pukul", "Saved at"), saved.at)),
            Err(Failed::Refused(message)) => status.set(message.get(lang == Lang::En).to_string()),
            Err(Failed::Unreachable) => status.set(
                lang.pick(
                    "Belum tersimpan: periksa koneksi, lalu tekan Simpan jawaban.",
                    "Not saved: check the connection, then press Save answers.",
                )
                .into(),
            ),
        }
    });
}
