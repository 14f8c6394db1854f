//! What the server sends the pages and the pages send back, where the server's services build
//! the very same value: one struct for both sides of the wasm boundary, instead of a service's
//! struct and a page's copy of it.

use serde::{Deserialize, Serialize};

/// The signed-in person's own data (`/akun`); the NIK masked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub nik_masked: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<crate::Jabatan>,
    pub cooperative: Option<String>,
    pub village: Option<String>,
    pub district: Option<String>,
    pub regency: Option<String>,
    /// (role, scope name)
    pub roles: Vec<(crate::Role, String)>,
}

/// A report's query string (`?diklat=&wilayah=&jabatan=&status=&q=&hal=`): every report page and
/// export reads the same parameters, so a URL can be shared. The server reads it into a filter
/// (`domain::services::report::filter_of`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub diklat: Option<String>,
    pub wilayah: Option<String>,
    pub jabatan: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    pub hal: Option<String>,
}

impl ReportQuery {
    /// `?a=b&…` with the empty parameters left out and `changes` applied (None removes one).
    pub fn href(&self, path: &str, changes: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("diklat", &self.diklat),
            ("wilayah", &self.wilayah),
            ("jabatan", &self.jabatan),
            ("status", &self.status),
            ("q", &self.q),
            ("hal", &self.hal),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.trim().is_empty()).map(|v| (k, v.to_string())))
        .collect();
        for (key, value) in changes {
            pairs.retain(|(k, _)| k != key);
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                pairs.push((key, v.to_string()));
            }
        }
        let order = ["diklat", "wilayah", "jabatan", "status", "q", "hal"];
        pairs.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
        if pairs.is_empty() {
            return path.to_string();
        }
        let query: Vec<String> =
            pairs.into_iter().map(|(k, v)| format!("{k}={}", crate::encode_component(&v))).collect();
        format!("{path}?{}", query.join("&"))
    }

    /// The 1-based page asked for (`hal`); anything unreadable is the first.
    pub fn page(&self) -> u64 {
        self.hal.as_deref().and_then(|h| h.trim().parse().ok()).unwrap_or(1).max(1)
    }
}

/// A kelurahan's participants summed up, for one module's pre- and post-test (`/diklat/{id}/kuis`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VillageSummary {
    pub village: String,
    pub people: usize,
    /// How many took the pre-test / the post-test.
    pub took_pre: usize,
    pub took_post: usize,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub gain: Option<f64>,
    pub passed: usize,
}

/// The counts of one area: a row of the report's coverage table, or its headline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub enrolled: i64,
    /// Attendance at or above the diklat's minimum.
    pub attended: i64,
    /// Every post-test passed.
    pub passed: i64,
    /// Meets the whole rule.
    pub eligible: i64,
    /// Holds a valid certificate.
    pub certified: i64,
    pub kkmp: i64,
    pub kkmp_ready: i64,
    pub kkmp_partial: i64,
}

impl Counts {
    /// KKMP with nobody certified yet.
    pub fn kkmp_none(&self) -> i64 {
        self.kkmp - self.kkmp_ready - self.kkmp_partial
    }

    /// Adds `o`'s counts to these (an area's total from its children).
    pub fn add(&mut self, o: &Counts) {
        self.enrolled += o.enrolled;
        self.attended += o.attended;
        self.passed += o.passed;
        self.eligible += o.eligible;
        self.certified += o.certified;
        self.kkmp += o.kkmp;
        self.kkmp_ready += o.kkmp_ready;
        self.kkmp_partial += o.kkmp_partial;
    }
}

/// One area of the report's coverage table (a province, kab/kota, kecamatan or kelurahan).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub code: String,
    pub name: String,
    pub counts: Counts,
}

/// A kabupaten/kota with its counts, for the list of regions (`/wilayah`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::FromQueryResult))]
pub struct RegencySummary {
    pub province: String,
    pub code: String,
    pub name: String,
    pub districts: i64,
    pub villages: i64,
    pub cooperatives: i64,
}

/// A kabupaten/kota with its kecamatan, kelurahan/desa and their KKMP (`/wilayah/{code}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegencyOverview {
    pub code: String,
    pub name: String,
    pub districts: Vec<DistrictOverview>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictOverview {
    pub code: String,
    pub name: String,
    pub villages: Vec<VillageOverview>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VillageOverview {
    pub code: String,
    pub name: String,
    /// `kelurahan` or `desa`.
    pub kind: String,
    /// The village's KKMP, when one is registered.
    pub cooperative: Option<String>,
}
