//! Data the pages show, and the server functions that fetch it. Server functions are public
//! HTTP endpoints: each one checks who may call it (those here serve public reference data and
//! need no sign-in) and delegates to one domain service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Peserta,
    Panitia,
    Pejabat,
    Admin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModuleCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub jp: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegencySummary {
    pub province: String,
    pub code: String,
    pub name: String,
    pub districts: i64,
    pub villages: i64,
    pub cooperatives: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegencyView {
    pub code: String,
    pub name: String,
    pub districts: Vec<DistrictView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictView {
    pub code: String,
    pub name: String,
    pub villages: Vec<VillageView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VillageView {
    pub code: String,
    pub name: String,
    pub cooperative: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use domain::AppState;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, ServerFnError> {
        use_context::<AppState>()
            .ok_or_else(|| ServerFnError::ServerError("server state missing".into()))
    }

    /// Maps a domain error to the sentence the user sees, and sets the HTTP status of the
    /// page or call. Server faults are logged with their detail.
    pub fn fail(e: domain::AppError) -> ServerFnError {
        if e.status() >= 500 {
            leptos::logging::error!("server function failed: {e:?}");
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(e.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
        ServerFnError::ServerError(e.public_message())
    }
}

/// The loaded modules, in order (from memory; no database read).
#[server]
pub async fn list_modules() -> Result<Vec<ModuleCard>, ServerFnError> {
    let state = ssr::state()?;
    Ok(state
        .content
        .modules
        .iter()
        .map(|m| ModuleCard {
            slug: m.meta.slug.clone(),
            title: m.meta.title.clone(),
            summary: m.meta.summary.clone(),
            jp: m.meta.jp,
        })
        .collect())
}

/// Every kabupaten/kota with its counts of kecamatan, kelurahan/desa and KKMP.
#[server]
pub async fn list_regencies() -> Result<Vec<RegencySummary>, ServerFnError> {
    let state = ssr::state()?;
    let rows = domain::services::regions::regency_summaries(state.db.read())
        .await
        .map_err(ssr::fail)?;
    Ok(rows
        .into_iter()
        .map(|r| RegencySummary {
            province: r.province,
            code: r.code,
            name: r.name,
            districts: r.districts,
            villages: r.villages,
            cooperatives: r.cooperatives,
        })
        .collect())
}

/// One kabupaten/kota with its kecamatan, kelurahan/desa and their KKMP.
#[server]
pub async fn regency_detail(code: String) -> Result<RegencyView, ServerFnError> {
    let state = ssr::state()?;
    let r = domain::services::regions::regency_overview(state.db.read(), &code)
        .await
        .map_err(ssr::fail)?;
    Ok(RegencyView {
        code: r.code,
        name: r.name,
        districts: r
            .districts
            .into_iter()
            .map(|d| DistrictView {
                code: d.code,
                name: d.name,
                villages: d
                    .villages
                    .into_iter()
                    .map(|v| VillageView {
                        code: v.code,
                        name: v.name,
                        cooperative: v.cooperative,
                    })
                    .collect(),
            })
            .collect(),
    })
}
