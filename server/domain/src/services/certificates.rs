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

/// What a certificate states, signed as canonical JSON (this field order, no extra spaces).
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
}

/// The outcome of an issue request.
#[derive(Clone, Debug, PartialEq)]
pub enum Issued {
    New(crate::entities::certificate::Model),
    /// The person already had one for this diklat (issuing twice is impossible).
    Existing(crate::entities::certificate::Model),
}

/// Issues the certificate of `person_id` for `d` (the caller has checked the rule): the next
/// number of the diklat's sequence, a fresh verification code, the payload signed with `key`.
/// One transaction: the sequence moves only when the certificate is written, so numbers have
/// no gaps, and the unique (diklat, person) index makes a second certificate impossible even
/// when two requests race.
pub async fn issue<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    d: &diklat::Model,
    standing: &Standing,
    post_tests: Vec<(String, f64)>,
    issued_by: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Issued, AppError> {
    use crate::entities::{certificate, cooperative, district, person, village};
    use sea_orm::{
        sea_query::{Expr, ExprTrait},
        ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    };
    let existing = || async {
        certificate::Entity::find()
            .filter(certificate::Column::DiklatId.eq(d.id))
            .filter(certificate::Column::PersonId.eq(standing.person_id))
            .one(db)
            .await
    };
    if let Some(c) = existing().await? {
        return Ok(Issued::Existing(c));
    }
    let p = person::Entity::find_by_id(standing.person_id).one(db).await?.ok_or(AppError::NotFound)?;
    let coop = match p.cooperative_id {
        Some(id) => cooperative::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let village = match coop.as_ref().map(|c| c.village_id) {
        Some(id) => village::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let district = match village.as_ref().map(|v| v.district_id) {
        Some(id) => district::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let issued_on = now.with_timezone(&schedule::wib()).date_naive();
    let txn = db.begin().await?;
    // Taking the next number locks the diklat row (PostgreSQL) or holds the one writer (SQLite).
    diklat::Entity::update_many()
        .col_expr(diklat::Column::NextCertificateSeq, Expr::col(diklat::Column::NextCertificateSeq).add(1))
        .filter(diklat::Column::Id.eq(d.id))
        .exec(&txn)
        .await?;
    let seq = diklat::Entity::find_by_id(d.id).one(&txn).await?.ok_or(AppError::NotFound)?.next_certificate_seq - 1;
    let number = format!("{}/{}/{seq:06}", d.certificate_prefix, issued_on.format("%Y"));
    let code = crate::certcode::generate();
    let payload = Payload {
        v: 1,
        number: number.clone(),
        code: code.clone(),
        holder: p.full_name.clone(),
        nik: p.nik.as_deref().map(crate::auth::ids::mask_nik).unwrap_or_default(),
        jabatan: p.position.clone().unwrap_or_default(),
        kkmp: coop.map(|c| c.name).unwrap_or_default(),
        kelurahan: village.map(|v| v.name).unwrap_or_default(),
        kecamatan: district.map(|k| k.name).unwrap_or_default(),
        diklat: d.name.clone(),
        diklat_code: d.code.clone(),
        venue: d.venue.clone(),
        starts_on: d.starts_on,
        ends_on: d.ends_on,
        jp: d.total_jp,
        post_tests,
        issued_on,
    };
    let json = serde_json::to_string(&payload).expect("a payload serialises");
    let inserted = certificate::ActiveModel {
        diklat_id: Set(d.id),
        person_id: Set(standing.person_id),
        number: Set(number),
        seq: Set(seq),
        verification_code: Set(code),
        status: Set("valid".into()),
        issued_at: Set(now),
        issued_by: Set(issued_by),
        signature: Set(key.sign(json.as_bytes())),
        key_id: Set(key.key_id.clone()),
        payload: Set(json),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(c) => {
            crate::services::audit::record(
                &txn,
                issued_by,
                "certificate.issue",
                "certificate",
                Some(c.id.to_string()),
                Some(serde_json::json!({ "number": c.number, "person": c.person_id, "diklat": d.id })),
            )
            .await?;
            txn.commit().await?;
            Ok(Issued::New(c))
        }
        Err(e) => {
            // Someone else issued it meanwhile: nothing of ours is kept (the number included).
            drop(txn);
            match existing().await? {
                Some(c) => Ok(Issued::Existing(c)),
                None => Err(e.into()),
            }
        }
    }
}

/// The post-test grades of one person in the diklat's modules (what the certificate lists).
pub async fn post_tests_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    person_id: i32,
    modules: &[(i32, String)],
) -> Result<Vec<(String, f64)>, AppError> {
    use crate::services::quizzes::{attempts_of, final_score, quiz_of, Phase};
    let mut out = Vec::new();
    for (module_id, title) in modules {
        let q = quiz_of(db, *module_id, Phase::Post).await?;
        let attempts = attempts_of(db, person_id, q.id).await?;
        if let Some(score) = final_score(&q.grading_method, &attempts) {
            out.push((title.clone(), score));
        }
    }
    Ok(out)
}

/// Issues a certificate to everyone in `d` who meets the rule and has none yet; returns the new
/// ones. What the automatic issue runs (after a post-test is passed, and periodically), and
/// what panitia run in bulk.
pub async fn issue_eligible<R: sea_orm::ConnectionTrait, C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    read: &R,
    db: &C,
    key: &crate::signing::CertificateKey,
    d: &diklat::Model,
    modules: &[(i32, String)],
    only_person: Option<i32>,
    issued_by: Option<i32>,
) -> Result<Vec<crate::entities::certificate::Model>, AppError> {
    let mut issued = Vec::new();
    // The evaluation reads on `read` (off SQLite's single writer); only the issue writes.
    for s in standings(read, d, modules).await? {
        if !s.eligible() || only_person.is_some_and(|p| p != s.person_id) {
            continue;
        }
        let post_tests = post_tests_of(read, s.person_id, modules).await?;
        if let Issued::New(c) = issue(db, key, d, &s, post_tests, issued_by, chrono::Utc::now()).await? {
            issued.push(c);
        }
    }
    Ok(issued)
}

/// Issues what `person_id` now qualifies for, in every diklat they are enrolled in.
pub async fn issue_for_person<R: sea_orm::ConnectionTrait, C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    read: &R,
    db: &C,
    key: &crate::signing::CertificateKey,
    person_id: i32,
    modules: &[(i32, String)],
) -> Result<Vec<crate::entities::certificate::Model>, AppError> {
    use crate::entities::enrolment;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut issued = Vec::new();
    for e in enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .all(read)
        .await?
    {
        let Some(d) = diklat::Entity::find_by_id(e.diklat_id).one(read).await? else { continue };
        issued.extend(issue_eligible(read, db, key, &d, modules, Some(person_id), None).await?);
    }
    Ok(issued)
}

/// The periodic automatic issue: every diklat running or finished in the last 30 days.
pub async fn issue_all_due<R: sea_orm::ConnectionTrait, C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    read: &R,
    db: &C,
    key: &crate::signing::CertificateKey,
    modules: &[(i32, String)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let since = schedule::today_wib(now) - chrono::Duration::days(30);
    let mut count = 0;
    for d in diklat::Entity::find()
        .filter(diklat::Column::Status.is_in(["running", "finished"]))
        .filter(diklat::Column::EndsOn.gte(since))
        .all(read)
        .await?
    {
        count += issue_eligible(read, db, key, &d, modules, None, None).await?.len();
    }
    Ok(count)
}
