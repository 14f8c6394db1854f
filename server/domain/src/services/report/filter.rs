//! What a report is narrowed to (diklat, jabatan, status) and the SQL conditions they make.

use crate::AppError;
use sea_orm::Value;

use super::area::Area;

/// Jabatan codes as an SQL list (`'ketua', 'wakil_ketua'`): the codes are the types crate's own.
pub(super) fn quoted_list(values: &[types::Jabatan]) -> String {
    values.iter().map(|v| format!("'{}'", v.code())).collect::<Vec<_>>().join(", ")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Jabatan {
    Pengurus,
    Pengawas,
}

impl Jabatan {
    pub fn parse(code: &str) -> Option<Jabatan> {
        match code {
            "pengurus" => Some(Jabatan::Pengurus),
            "pengawas" => Some(Jabatan::Pengawas),
            _ => None,
        }
    }

    fn positions(self) -> &'static [types::Jabatan] {
        match self {
            Jabatan::Pengurus => types::Jabatan::PENGURUS,
            Jabatan::Pengawas => types::Jabatan::PENGAWAS,
        }
    }
}

/// Where a participant is, for the person filter and the people list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonStatus {
    /// Holds a valid certificate.
    Certified,
    /// Meets the rule, no valid certificate (yet, or revoked).
    Eligible,
    /// Does not meet the rule.
    NotYet,
}

impl PersonStatus {
    pub fn parse(code: &str) -> Option<PersonStatus> {
        match code {
            "bersertifikat" => Some(PersonStatus::Certified),
            "memenuhi" => Some(PersonStatus::Eligible),
            "belum" => Some(PersonStatus::NotYet),
            _ => None,
        }
    }
}

/// What a report covers beyond its area.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub diklat_id: Option<i32>,
    pub jabatan: Option<Jabatan>,
    /// For the people list and its exports only.
    pub status: Option<PersonStatus>,
    /// Part of a name (people list only).
    pub q: Option<String>,
}

pub use types::views::ReportQuery;

/// The filter a report's query asks for; a value that is not one of the choices is an error
/// naming the parameter.
pub fn filter_of(query: &ReportQuery) -> Result<Filter, AppError> {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let diklat_id = given(&query.diklat)
        .map(|d| {
            d.parse::<i32>()
                .map_err(|_| AppError::invalid("diklat", "Diklat: pilihan tidak dikenal.", "Training: unknown choice."))
        })
        .transpose()?;
    let jabatan = given(&query.jabatan)
        .map(|j| {
            Jabatan::parse(&j).ok_or_else(|| {
                AppError::invalid(
                    "jabatan",
                    "Jabatan: pilih pengurus atau pengawas.",
                    "Position: choose board (pengurus) or supervisors (pengawas).",
                )
            })
        })
        .transpose()?;
    let status = given(&query.status)
        .map(|s| {
            PersonStatus::parse(&s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "Status: pilih bersertifikat, memenuhi atau belum.",
                    "Status: choose certified, eligible or not yet.",
                )
            })
        })
        .transpose()?;
    let q = given(&query.q);
    if q.as_ref().is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::invalid(
            "q",
            "Cari nama: paling banyak 100 karakter.",
            "Search by name: at most 100 characters.",
        ));
    }
    Ok(Filter { diklat_id, jabatan, status, q })
}

/// A certificate `c` in force on the day bound to `?`: the one place the report's SQL names a
/// certificate status (`types::CertificateStatus::Valid`'s code, checked by a unit test).
pub(super) const VALID_CERT: &str = "c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= ?)";

/// WHERE conditions on `standings s` for an area and filter, with their values.
pub(super) fn conditions(area: Area, filter: &Filter, with_jabatan: bool) -> (String, Vec<Value>) {
    let mut parts = vec!["1 = 1".to_string()];
    let mut values: Vec<Value> = Vec::new();
    if let Some((col, id)) = area.column() {
        parts.push(format!("s.{col} = ?"));
        values.push(id.into());
    }
    if let Some(d) = filter.diklat_id {
        parts.push("s.diklat_id = ?".into());
        values.push(d.into());
    }
    if let (Some(j), true) = (filter.jabatan, with_jabatan) {
        parts.push(format!("s.position IN ({})", quoted_list(j.positions())));
    }
    (parts.join(" AND "), values)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reports_sql_names_the_stored_code_of_a_valid_certificate() {
        let named = format!("c.status = '{}'", types::CertificateStatus::Valid.code());
        assert!(super::VALID_CERT.starts_with(&named), "{}", super::VALID_CERT);
    }
}
