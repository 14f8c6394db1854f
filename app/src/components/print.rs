use leptos::prelude::*;

/// A button that opens the browser's print dialog. An island, so the page needs no inline
/// handler (its Content-Security-Policy allows none); without JavaScript the browser's own print
/// command does the same.
#[island]
pub fn PrintButton(label: String) -> impl IntoView {
    view! {
        <button type="button" class="button" on:click=move |_| print()>{label}</button>
    }
}

fn print() {
    #[cfg(feature = "hydrate")]
    let _ = window().print();
}
