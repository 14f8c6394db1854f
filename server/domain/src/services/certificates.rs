//! Certificates: the completion rule of a diklat and where each participant stands against it.
//!
//! The rule: attendance of at least the diklat's minimum (default 80 %, counting the statuses the
//! diklat counts as present — H and T by default) over **all** its sessions (sessions still to come
//! count as not yet attended, so nobody qualifies before the end), every module's post-test passed,
//! and — when the diklat asks for it — every module's pre-test taken.

use crate::{
    entities::diklat,
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
}

impl Standing {
    pub fn attendance_percent(&self) -> u32 {
        attendance::Rate { held: self.sessions, present: self.present }.percent()
    }

    pub fn eligible(&self) -> bool {
        self.attendance_ok && self.post_missing.is_empty() && self.pre_missing.is_empty()
    }
}

/// Where every enrolled participant stands; `modules` are the diklat's modules (id, title).
pub async fn standings<C: ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<Vec<Standing>, AppError> {
    let enrolled = schedule::enrolled(db, d.id).await?;
    // Every session counts, held or not: "now" is after the last one.
    let after_all = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    let rates = attendance::rates(db, d, &enrolled, after_all).await?;
    let mut post_missing: HashMap<i32, Vec<String>> = HashMap::new();
    let mut pre_missing: HashMap<i32, Vec<String>> = HashMap::new();
    for (module_id, title) in modules {
        for r in quiz_report::results(db, d.id, *module_id).await? {
            if !r.passed_post {
                post_missing.entry(r.person_id).or_default().push(title.clone());
            }
            if d.require_pretests && r.pre.is_none() {
                pre_missing.entry(r.person_id).or_default().push(title.clone());
            }
        }
    }
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
                name: e.name,
                village: e.village,
                cooperative: e.cooperative,
            }
        })
        .collect())
}
