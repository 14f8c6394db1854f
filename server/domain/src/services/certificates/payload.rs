//! What a certificate states: the payload that is signed, and its versions.

/// What a certificate states. What is signed is the exact bytes of its JSON as stored (serde_json's
/// compact output, this field order) — not a canonical form: verifiers check the bytes they receive.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Payload {
    /// Format version.
    pub v: u32,
    pub number: String,
    pub code: String,
    pub holder: String,
    pub nik: String,
    /// Jabatan code (`ketua`, `bendahara`, `anggota_pengawas`, …).
    pub jabatan: String,
    pub kkmp: String,
    pub kelurahan: String,
    pub kecamatan: String,
    pub diklat: String,
    pub diklat_code: String,
    pub venue: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub jp: i32,
    /// (module title, post-test grade)
    pub post_tests: Vec<(String, f64)>,
    pub issued_on: chrono::NaiveDate,
    /// (module title, pre-test grade) of the modules whose pre-test was taken: with the post-tests,
    /// the learning gain the certificate shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_tests: Vec<(String, f64)>,
    /// Version 2: the first and last day the diklat's sessions were held…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_from: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_to: Option<chrono::NaiveDate>,
    /// …and the modules it covered, as (title, version of the module's text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<(String, String)>,
}

/// The payload version new certificates are signed with. Version 1 (before December 2026) had
/// no `held_from`, `held_to` or `modules`; a certificate keeps the bytes it was signed with, so
/// every version-1 certificate verifies exactly as before.
pub const PAYLOAD_VERSION: u32 = 2;

impl Payload {
    /// Mean of post − pre over the modules with both grades.
    pub fn learning_gain(&self) -> Option<f64> {
        let gains: Vec<f64> = self
            .post_tests
            .iter()
            .filter_map(|(title, post)| self.pre_tests.iter().find(|(t, _)| t == title).map(|(_, pre)| post - pre))
            .collect();
        (!gains.is_empty()).then(|| gains.iter().sum::<f64>() / gains.len() as f64)
    }
}
