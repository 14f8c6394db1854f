use leptos::prelude::*;

/// A submit button that, once hydrated, tells the person the work is under way after they
/// press it (long imports take seconds). Without JavaScript it is a plain submit button.
#[island]
pub fn BusyButton(label: String, busy: String) -> impl IntoView {
    let pressed = RwSignal::new(false);
    view! {
        <button type="submit" class="button" aria-busy=move || pressed.get().then_some("true") on:click=move |_| pressed.set(true)>
            {label}
        </button>
        <p class="hint busy-note" role="status" aria-live="polite">
            {move || pressed.get().then(|| busy.clone())}
        </p>
    }
}
