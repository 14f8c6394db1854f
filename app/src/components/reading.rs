//! Reading progress on a module page: the mark-as-read form at the end of each section.
//!
//! The forms are plain HTML: without JavaScript each posts to `/progres/tandai` and returns to
//! the next unread section. One island per page, [`ReadingTracker`], enhances all of them once
//! hydrated: it posts the same form in the background, for data, then updates the progress bar,
//! the tables of contents and the resume link in place; and it marks a section read by itself
//! when the reader has kept its end in view for a couple of seconds (scrolling past quickly does
//! not count). One island rather than one per section keeps both the server's rendering and the
//! browser's hydration cheap.

use crate::i18n::Lang;
use leptos::prelude::*;

/// Ids of the page elements the tracker updates after saving.
pub const PROGRESS_BAR_ID: &str = "module-progress";
pub const PROGRESS_TEXT_ID: &str = "module-progress-text";
pub const RESUME_LINK_ID: &str = "resume-link";

/// The form at the end of a section (server-rendered; enhanced by [`ReadingTracker`]).
#[component]
pub fn MarkReadForm(slug: String, anchor: String, read: bool, lang: Lang) -> impl IntoView {
    let t = lang.t();
    let data_anchor = anchor.clone();
    view! {
        <form method="post" action="/progres/tandai" class="mark-read no-print" data-anchor=data_anchor data-read=read.then_some("true")>
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="bagian" value=anchor/>
            {if read {
                view! { <p class="read-done" role="status">"✓ "{t.progress_done}</p> }.into_any()
            } else {
                view! {
                    <button type="submit" class="button secondary">{t.progress_mark}</button>
                    <p class="read-done" role="status" hidden>"✓ "{t.progress_done}</p>
                }.into_any()
            }}
            <p class="error" role="alert" hidden>{t.progress_failed}</p>
        </form>
    }
}

#[island]
pub fn ReadingTracker(lang: Lang) -> impl IntoView {
    let ready = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        enhance(lang);
        ready.set(true);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
    view! { <span class="reading-tracker" hidden data-ready=move || ready.get().then_some("true")></span> }
}

#[cfg(feature = "hydrate")]
fn enhance(lang: Lang) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(forms) = document().query_selector_all("form.mark-read") else { return };
    for i in 0..forms.length() {
        let Some(form) = forms.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlFormElement>().ok()) else { continue };
        let on_submit = {
            let form = form.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                ev.prevent_default();
                save(&form, lang);
            })
        };
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
        if form.get_attribute("data-read").is_none() {
            observe_end(form, lang);
        }
    }
}

/// Saves one section as read, then shows it.
#[cfg(feature = "hydrate")]
fn save(form: &web_sys::HtmlFormElement, lang: Lang) {
    if form.get_attribute("data-read").is_some() || form.get_attribute("data-saving").is_some() {
        return;
    }
    let Some(anchor) = form.get_attribute("data-anchor") else { return };
    let _ = form.set_attribute("data-saving", "true");
    let form = form.clone();
    leptos::task::spawn_local(async move {
        let result = super::form_post::post_form::<crate::api::ProgressView>(&form).await;
        let _ = form.remove_attribute("data-saving");
        let show = |selector: &str, visible: bool| {
            if let Ok(Some(el)) = form.query_selector(selector) {
                if visible {
                    let _ = el.remove_attribute("hidden");
                } else {
                    let _ = el.set_attribute("hidden", "");
                }
            }
        };
        match result {
            Ok(progress) => {
                let _ = form.set_attribute("data-read", "true");
                show("button", false);
                show(".read-done", true);
                show(".error", false);
                show_progress(&progress, &anchor, lang);
            }
            Err(_) => show(".error", true),
        }
    });
}

/// Updates the parts of the page outside the forms after a save.
#[cfg(feature = "hydrate")]
fn show_progress(progress: &crate::api::ProgressView, anchor: &str, lang: Lang) {
    use wasm_bindgen::JsCast;
    let document = document();
    if let Some(bar) =
        document.get_element_by_id(PROGRESS_BAR_ID).and_then(|e| e.dyn_into::<web_sys::HtmlProgressElement>().ok())
    {
        bar.set_max(progress.total as f64);
        bar.set_value(progress.read as f64);
    }
    if let Some(text) = document.get_element_by_id(PROGRESS_TEXT_ID) {
        text.set_text_content(Some(&(lang.t().progress_label)(progress.read, progress.total)));
    }
    // Both tables of contents (the phone one and the wide one).
    if let Ok(entries) = document.query_selector_all(&format!("[data-toc=\"{anchor}\"]")) {
        for i in 0..entries.length() {
            if let Some(entry) = entries.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = entry.class_list().add_1("read");
            }
        }
    }
    if let Some(link) = document.get_element_by_id(RESUME_LINK_ID) {
        match &progress.resume {
            Some((next, title)) => {
                let _ = link.set_attribute("href", &format!("#{next}"));
                link.set_text_content(Some(&format!("{} → {title}", lang.t().progress_resume)));
            }
            None => {
                let _ = link.set_attribute("href", "#");
                link.set_text_content(Some(&format!("✓ {}", lang.t().progress_complete)));
            }
        }
    }
}

/// Saves the section once its form (at the section's end) has stayed in view for two seconds.
#[cfg(feature = "hydrate")]
fn observe_end(form: web_sys::HtmlFormElement, lang: Lang) {
    use std::{cell::RefCell, rc::Rc, time::Duration};
    use wasm_bindgen::{closure::Closure, JsCast};

    let pending: Rc<RefCell<Option<TimeoutHandle>>> = Rc::default();
    let target = form.clone();
    let on_change = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
            let visible =
                entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
            if let Some(handle) = pending.borrow_mut().take() {
                handle.clear();
            }
            if visible {
                let (observer, form) = (observer.clone(), form.clone());
                let handle = set_timeout_with_handle(
                    move || {
                        observer.disconnect();
                        save(&form, lang);
                    },
                    Duration::from_secs(2),
                );
                *pending.borrow_mut() = handle.ok();
            }
        },
    );
    if let Ok(observer) = web_sys::IntersectionObserver::new(on_change.as_ref().unchecked_ref()) {
        observer.observe(&target);
        // The observer lives as long as the page; so must its callback.
        on_change.forget();
    }
}
