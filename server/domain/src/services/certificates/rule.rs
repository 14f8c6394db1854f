//! Where each participant stands against the completion rule, and what they still lack.

use super::verify::{managed, of_diklat, status_of, Status};
use crate::{
    entities::{certificate, diklat},
    services::{attendance, quiz_report, schedule},
    AppError,
};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;

/// One participant against the rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    pub person_id: i32,
    pub name: String,
    pub village: String,
    pub cooperative: String,
    /// Sessions attended (present statuses) of the sessions that count for them.
    pub present: usize,
    pub sessions: usize,
    pub attendance_ok: bool,
    /// Titles of the modules whose post-test is not passed yet.
    pub post_missing: Vec<String>,
    /// Titles of the modules whose pre-test was not taken (only when the diklat requires it).
    pub pre_missing: Vec<String>,
    /// The evaluation forms not sent yet, when the diklat requires them before the certificate.
    pub evaluation_missing: Vec<String>,
    /// The counted pre-test and post-test grade of each module, in the modules' order.
    pub grades: Vec<ModuleGrade>,
    pub position: Option<types::Jabatan>,
    pub cooperative_id: Option<i32>,
    pub village_id: Option<i32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModuleGrade {
    pub module_id: i32,
    pub pre: Option<f64>,
    pub post: Option<f64>,
}

impl Standing {
    pub fn attendance_percent(&self) -> u32 {
        attendance::Rate { held: self.sessions, present: self.present }.percent()
    }

    pub fn eligible(&self) -> bool {
        self.attendance_ok
            && self.post_missing.is_empty()
            && self.pre_missing.is_empty()
            && self.evaluation_missing.is_empty()
    }
}

/// The modules `d`'s rule requires, as (id, title), in the catalogue's order: the catalogue is
/// every module with tests (`AppState::quiz_modules`).
pub async fn rule_modules<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    catalogue: &[(i32, String)],
) -> Result<Vec<(i32, String)>, AppError> {
    let taught = crate::services::windows::modules_of(db, d).await?;
    Ok(catalogue.iter().filter(|(id, _)| taught.contains(id)).cloned().collect())
}

/// Where every enrolled participant stands against `d`'s rule; `catalogue` is every module with
/// tests (id, title), of which the rule takes those the diklat teaches.
pub async fn standings<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    catalogue: &[(i32, String)],
) -> Result<Vec<Standing>, AppError> {
    let modules = &rule_modules(db, d, catalogue).await?;
    let enrolled = schedule::enrolled(db, d.id).await?;
    // Every session counts, held or not: "now" is after the last one.
    let after_all = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    let rates = attendance::rates(db, d, &enrolled, after_all).await?;
    let mut post_missing: HashMap<i32, Vec<String>> = HashMap::new();
    let mut pre_missing: HashMap<i32, Vec<String>> = HashMap::new();
    let mut grades: HashMap<i32, Vec<ModuleGrade>> = HashMap::new();
    for (module_id, title) in modules {
        for r in quiz_report::results(db, d.id, *module_id).await? {
            grades.entry(r.person_id).or_default().push(ModuleGrade {
                module_id: *module_id,
                pre: r.pre,
                post: r.post,
            });
            if !r.passed_post {
                post_missing.entry(r.person_id).or_default().push(title.clone());
            }
            if d.require_pretests && r.pre.is_none() {
                pre_missing.entry(r.person_id).or_default().push(title.clone());
            }
        }
    }
    let people: Vec<i32> = enrolled.iter().map(|e| e.person_id).collect();
    let mut evaluation_missing = crate::services::evaluation::missing(db, d, &people).await?;
    Ok(enrolled
        .into_iter()
        .map(|e| {
            let rate = rates.get(&e.person_id).copied().unwrap_or_default();
            let attendance_ok = rate.held > 0 && rate.percent() >= d.min_attendance_pct.max(0) as u32;
            Standing {
                person_id: e.person_id,
                present: rate.present,
                sessions: rate.held,
                attendance_ok,
                post_missing: post_missing.remove(&e.person_id).unwrap_or_default(),
                pre_missing: pre_missing.remove(&e.person_id).unwrap_or_default(),
                evaluation_missing: evaluation_missing.remove(&e.person_id).unwrap_or_default(),
                grades: grades.remove(&e.person_id).unwrap_or_default(),
                position: e.position,
                cooperative_id: e.cooperative_id,
                village_id: e.village_id,
                name: e.name,
                village: e.village,
                cooperative: e.cooperative,
            }
        })
        .collect())
}

/// What a standing lacks against the rule, in a sentence (empty when it meets it).
pub fn unmet_reasons(s: &Standing, d: &diklat::Model) -> String {
    let mut parts = Vec::new();
    if !s.attendance_ok {
        parts.push(format!(
            "kehadiran {}% ({} dari {} sesi; minimal {}%)",
            s.attendance_percent(),
            s.present,
            s.sessions,
            d.min_attendance_pct
        ));
    }
    if !s.post_missing.is_empty() {
        parts.push(format!("belum lulus tes akhir: {}", s.post_missing.join(", ")));
    }
    if !s.pre_missing.is_empty() {
        parts.push(format!("belum mengerjakan tes awal: {}", s.pre_missing.join(", ")));
    }
    if !s.evaluation_missing.is_empty() {
        parts.push(format!("evaluasi belum diisi: {}", s.evaluation_missing.join(", ")));
    }
    parts.join("; ")
}

/// What a panitia's confirmation is recorded against: the rule and the standing as they were.
/// A later change to either lists the certificate again.
pub fn standing_fingerprint(s: &Standing, d: &diklat::Model) -> String {
    format!(
        "min {} [{}] hadir {}/{}: {}",
        d.min_attendance_pct,
        d.present_statuses,
        s.present,
        s.sessions,
        unmet_reasons(s, d)
    )
}

/// A valid certificate whose holder no longer meets the diklat's rule (after a change to the
/// rule, an attendance mark or a result), not yet kept by a panitia against this standing.
#[derive(Clone, Debug)]
pub struct Unmet {
    pub certificate: certificate::Model,
    pub standing: Standing,
    pub reasons: String,
}

/// The certificates of `d` that no longer meet its rule and await a panitia's decision: keep
/// ([`confirm`]) or revoke. Never changed silently.
pub async fn no_longer_met<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    catalogue: &[(i32, String)],
) -> Result<Vec<Unmet>, AppError> {
    let today = schedule::today_wib(chrono::Utc::now());
    let valid: Vec<certificate::Model> =
        of_diklat(db, d.id).await?.into_iter().filter(|c| matches!(status_of(c, today), Status::Active)).collect();
    if valid.is_empty() {
        return Ok(Vec::new());
    }
    let standings: HashMap<i32, Standing> =
        standings(db, d, catalogue).await?.into_iter().map(|s| (s.person_id, s)).collect();
    let mut out = Vec::new();
    for c in valid {
        let Some(s) = standings.get(&c.person_id) else { continue };
        if s.eligible() || c.confirmed_standing.as_deref() == Some(standing_fingerprint(s, d).as_str()) {
            continue;
        }
        out.push(Unmet { reasons: unmet_reasons(s, d), standing: s.clone(), certificate: c });
    }
    Ok(out)
}

/// A panitia keeps a certificate whose holder no longer meets the rule: recorded with the
/// standing it was kept against, who and when, and audited (`certificate.confirm`).
pub async fn confirm<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    certificate_id: i32,
    catalogue: &[(i32, String)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<certificate::Model, AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionSession};
    let txn = db.begin().await?;
    let (c, d) = managed(&txn, scopes, certificate_id).await?;
    let standing = standings(&txn, &d, catalogue)
        .await?
        .into_iter()
        .find(|s| s.person_id == c.person_id)
        .ok_or(AppError::NotFound)?;
    let fingerprint = standing_fingerprint(&standing, &d);
    let reasons = unmet_reasons(&standing, &d);
    let mut row: certificate::ActiveModel = c.into();
    row.confirmed_standing = Set(Some(fingerprint));
    row.confirmed_by = Set(Some(actor));
    row.confirmed_at = Set(Some(now));
    let c = row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "certificate.confirm",
        "certificate",
        Some(c.id.to_string()),
        Some(serde_json::json!({ "number": c.number, "unmet": reasons })),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Shortest reason accepted for issuing certificates before the last session has ended.
pub const MIN_EARLY_REASON_CHARS: usize = 20;

/// Records an exception: certificates of `d` may be issued before its last session has ended
/// (e.g. the last session was cancelled and its material given otherwise). Who allowed it and
/// why are kept on the diklat and in the audit log (`diklat.early_issue`).
pub async fn allow_early_issue<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    diklat_id: i32,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set, TransactionSession};
    let reason = reason.trim();
    if reason.chars().count() < MIN_EARLY_REASON_CHARS || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "Alasan",
            format!(
                "Alasan: tulis mengapa sertifikat boleh terbit sebelum sesi terakhir selesai ({MIN_EARLY_REASON_CHARS}–500 karakter)."
            ),
            format!(
                "Reason: write why certificates may be issued before the last session ends ({MIN_EARLY_REASON_CHARS}–500 characters)."
            ),
        ));
    }
    let txn = db.begin().await?;
    let d = schedule::managed(&txn, scopes, diklat_id).await?;
    let mut row = d.into_active_model();
    row.early_issue_reason = Set(Some(reason.to_string()));
    row.early_issue_by = Set(Some(actor));
    row.early_issue_at = Set(Some(now));
    row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "diklat.early_issue",
        "diklat",
        Some(diklat_id.to_string()),
        Some(serde_json::json!({ "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
