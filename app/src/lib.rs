// Leptos view types nest deeply; release builds (without `--cfg erase_components`) need more room.
#![recursion_limit = "512"]

//! Diklat KKMP's web UI: Leptos pages and components, rendered on the server, with only the
//! interactive parts (islands) hydrated in the browser.

pub mod api;
pub mod app;
pub mod certificate_api;
pub mod components;
pub mod evaluation_api;
pub mod i18n;
pub mod pages;
pub mod query;
pub mod quiz_api;
pub mod report_api;
pub mod schedule_api;

pub use app::{content_security_policy, shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
