//! Reading progress on a module page: the mark-as-read form at the end of each section.
//!
//! Without JavaScript it is a plain form (`POST /progres/tandai`) that returns to the next unread
//! section. Once hydrated it saves in place, updates the progress bar, the table of contents and
//! the resume link, and marks a section read by itself when the reader has kept its end in view
//! for a couple of seconds (scrolling past quickly does not count).

use crate::{
    api::{mark_section_read, ProgressView},
    i18n::Lang,
};
use leptos::prelude::*;

/// Ids of the page elements the island updates after saving.
pub const PROGRESS_BAR_ID: &str = "module-progress";
pub const PROGRESS_TEXT_ID: &str = "module-progress-text";
pub const RESUME_LINK_ID: &str = "resume-link";

#[island]
pub fn MarkRead(slug: String, anchor: String, read: bool, lang: Lang) -> impl IntoView {
    let t = lang.t();
    let read = RwSignal::new(read);
    let failed = RwSignal::new(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let save = {
        let (slug, anchor) = (slug.clone(), anchor.clone());
        Callback::new(move |()| {
            if read.get_untracked() {
                return;
            }
            read.set(true);
            failed.set(false);
            let (slug, anchor) = (slug.clone(), anchor.clone());
            leptos::task::spawn_local(async move {
                match mark_section_read(slug, anchor.clone()).await {
                    Ok(progress) => show_progress(&progress, &anchor, lang),
                    Err(_) => {
                        read.set(false);
                        failed.set(true);
                    }
                }
            });
        })
    };
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(form) = form_ref.get() {
            if !read.get_untracked() {
                observe_end(&form, save);
            }
        }
    });
    view! {
        <form method="post" action="/progres/tandai" class="mark-read no-print" node_ref=form_ref
            data-hydrated=move || hydrated.get().then_some("true")
            on:submit=move |ev| {
                ev.prevent_default();
                save.run(());
            }
        >
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="bagian" value=anchor/>
            <Show
                when=move || read.get()
                fallback=move || view! { <button type="submit" class="button secondary">{t.progress_mark}</button> }
            >
                <p class="read-done" role="status">"✓ "{t.progress_done}</p>
            </Show>
            <Show when=move || failed.get()>
                <p class="error" role="alert">{t.progress_failed}</p>
            </Show>
        </form>
    }
}

/// Updates the parts of the page outside this island after a save.
#[allow(unused_variables)]
fn show_progress(progress: &ProgressView, anchor: &str, lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
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
        if let Ok(Some(entry)) = document.query_selector(&format!("[data-toc=\"{anchor}\"]")) {
            let _ = entry.class_list().add_1("read");
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
}

/// Calls `save` once the element has stayed in view for two seconds.
#[cfg(feature = "hydrate")]
fn observe_end(element: &web_sys::Element, save: Callback<()>) {
    use std::{cell::RefCell, rc::Rc, time::Duration};
    use wasm_bindgen::{closure::Closure, JsCast};

    let pending: Rc<RefCell<Option<TimeoutHandle>>> = Rc::default();
    let on_change = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
            let visible =
                entries.iter().any(|e| e.unchecked_into::<web_sys::IntersectionObserverEntry>().is_intersecting());
            if let Some(handle) = pending.borrow_mut().take() {
                handle.clear();
            }
            if visible {
                let observer = observer.clone();
                let handle = set_timeout_with_handle(
                    move || {
                        observer.disconnect();
                        save.run(());
                    },
                    Duration::from_secs(2),
                );
                *pending.borrow_mut() = handle.ok();
            }
        },
    );
    if let Ok(observer) = web_sys::IntersectionObserver::new(on_change.as_ref().unchecked_ref()) {
        observer.observe(element);
        // The observer lives as long as the page; so must its callback.
        on_change.forget();
    }
}
