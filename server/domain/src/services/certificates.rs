//! Certificates: the completion rule of a diklat and where each participant stands against it.
//!
//! The rule: attendance of at least the diklat's minimum (default 80 %, never below the
//! deployment's floor; counting the statuses the diklat counts as present — H and T by default)
//! over **all** its sessions (sessions still to come count as not yet attended), the post-test
//! passed of every module the diklat teaches (`windows::modules_of`: its rule's list, or the
//! modules of its sessions), taken for this diklat within its window, and — when the diklat asks
//! for it — those modules' pre-tests taken. No certificate is issued before the last session has
//! ended, unless an exception was recorded (who allowed it and why).

use crate::{
    entities::{certificate, diklat},
    services::{attendance, quiz_report, schedule},
    AppError,
};
use sea_orm::ConnectionTrait;
use std::{collections::HashMap, sync::Arc};

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
    pub position: Option<String>,
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
    let mut evaluation_missing = super::evaluation::missing(db, d, &people).await?;
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

/// The outcome of an issue request.
#[derive(Clone, Debug, PartialEq)]
pub enum Issued {
    New(certificate::Model),
    /// The person already had one for this diklat (issuing twice is impossible).
    Existing(certificate::Model),
}

/// Issues the certificate of `person_id` for `d` (the caller has checked the rule): the next
/// number of the diklat's sequence, a fresh verification code, the payload signed with `key`.
/// One transaction: the sequence moves only when the certificate is written, so numbers have
/// no gaps, and the unique (diklat, person) index makes a second certificate impossible even
/// when two requests race.
#[allow(clippy::too_many_arguments)]
pub async fn issue<C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    d: &diklat::Model,
    standing: &Standing,
    tests: Grades,
    covered: &Covered,
    issued_by: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Issued, AppError> {
    use crate::entities::{cooperative, district, person, village};
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
        v: PAYLOAD_VERSION,
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
        post_tests: tests.post,
        pre_tests: tests.pre,
        issued_on,
        held_from: covered.held.map(|(from, _)| from),
        held_to: covered.held.map(|(_, to)| to),
        modules: covered.modules.clone(),
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

/// A person's final grades per module, as (module title, grade): what the certificate lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grades {
    pub pre: Vec<(String, f64)>,
    pub post: Vec<(String, f64)>,
}

/// The pre-test and post-test grades of one person in `d`'s modules, from the attempts that
/// count for `d` (taken for it; post-tests submitted before its closing day ended).
pub async fn grades_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    person_id: i32,
    modules: &[(i32, String)],
) -> Result<Grades, AppError> {
    use crate::services::quizzes::{attempts_in, final_score, quiz_of, Phase};
    let closed_from = crate::services::windows::closed_from(d);
    let mut out = Grades::default();
    for (module_id, title) in modules {
        for phase in [Phase::Pre, Phase::Post] {
            let q = quiz_of(db, *module_id, phase).await?;
            let mut attempts = attempts_in(db, person_id, q.id, d.id).await?;
            attempts.retain(|a| a.submitted_at.is_none_or(|t| t < closed_from));
            if let Some(score) = final_score(&q.grading_method, &attempts) {
                let list = if phase == Phase::Pre { &mut out.pre } else { &mut out.post };
                list.push((title.clone(), score));
            }
        }
    }
    Ok(out)
}

/// Whether certificates of `d` may be issued at `now`: after its last session has ended, or
/// earlier under a recorded exception. A diklat without sessions has not happened.
pub async fn may_issue<C: sea_orm::ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
    if d.early_issue_at.is_some() {
        return Ok(true);
    }
    Ok(crate::services::windows::last_session_end(db, d.id).await?.is_some_and(|end| end <= now))
}

/// Issues a certificate to everyone in `d` who meets the rule and has none yet; returns the new
/// ones. What the automatic issue runs (after a post-test is passed, and periodically), and
/// what panitia run in bulk. Nothing before the last session has ended (see [`may_issue`]).
pub async fn issue_eligible<R: sea_orm::ConnectionTrait, C: sea_orm::ConnectionTrait + sea_orm::TransactionTrait>(
    read: &R,
    db: &C,
    key: &crate::signing::CertificateKey,
    d: &diklat::Model,
    catalogue: &[(i32, String)],
    only_person: Option<i32>,
    issued_by: Option<i32>,
) -> Result<Vec<crate::entities::certificate::Model>, AppError> {
    let now = chrono::Utc::now();
    if !may_issue(read, d, now).await? {
        return Ok(Vec::new());
    }
    let modules = rule_modules(read, d, catalogue).await?;
    let covered = covered_of(read, d, &modules).await?;
    let mut issued = Vec::new();
    // The evaluation reads on `read` (off SQLite's single writer); only the issue writes.
    for s in standings(read, d, catalogue).await? {
        if !s.eligible() || only_person.is_some_and(|p| p != s.person_id) {
            continue;
        }
        let grades = grades_of(read, d, s.person_id, &modules).await?;
        if let Issued::New(c) = issue(db, key, d, &s, grades, &covered, issued_by, now).await? {
            issued.push(c);
        }
    }
    Ok(issued)
}

/// What a certificate names of the training itself (payload v2): the days its sessions were
/// held and the modules it covered, each with the version of its text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Covered {
    pub held: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    pub modules: Vec<(String, String)>,
}

/// The days `d`'s sessions were held and the versions of `modules` it covered.
pub async fn covered_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    d: &diklat::Model,
    modules: &[(i32, String)],
) -> Result<Covered, AppError> {
    use crate::entities::{diklat_session, module};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let days: Vec<chrono::NaiveDate> = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.session_date)
        .collect();
    let held = days.iter().min().copied().zip(days.iter().max().copied());
    let mut out = Covered { held, modules: Vec::new() };
    for (id, title) in modules {
        let version = module::Entity::find_by_id(*id).one(db).await?.map(|m| m.version).unwrap_or_default();
        out.modules.push((title.clone(), version));
    }
    Ok(out)
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

/// A certificate's standing as a verifier sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Active,
    Revoked { at: chrono::DateTime<chrono::Utc>, reason: String },
    Expired { on: chrono::NaiveDate },
}

impl Status {
    /// `aktif`, `dicabut` or `kedaluwarsa` (what the JSON API says).
    pub fn code(&self) -> &'static str {
        match self {
            Status::Active => "aktif",
            Status::Revoked { .. } => "dicabut",
            Status::Expired { .. } => "kedaluwarsa",
        }
    }
}

/// Revoked wins over expired; a certificate expires the day after its `expires_on`.
pub fn status_of(c: &certificate::Model, today: chrono::NaiveDate) -> Status {
    if c.status == "revoked" {
        Status::Revoked {
            at: c.revoked_at.unwrap_or(c.issued_at),
            reason: c.revocation_reason.clone().unwrap_or_default(),
        }
    } else {
        match c.expires_on {
            Some(on) if on < today => Status::Expired { on },
            _ => Status::Active,
        }
    }
}

/// A certificate found by its verification code, with its signature checked.
#[derive(Clone, Debug)]
pub struct Verification {
    pub certificate: certificate::Model,
    pub payload: Payload,
    /// The stored payload verifies against the published key it names.
    pub signature_valid: bool,
}

impl Verification {
    pub fn status(&self, today: chrono::NaiveDate) -> Status {
        status_of(&self.certificate, today)
    }
}

/// What a typed code leads to.
#[derive(Clone, Debug)]
pub enum Lookup {
    /// Not a code (wrong length, a letter codes never use, the check character does not match):
    /// caught before any lookup.
    Typo(crate::certcode::CodeError),
    /// A well-formed code nobody holds.
    Unknown,
    Found(Arc<Verification>),
}

/// Verifications by canonical code. Revocation and expiry changes drop their entry; the time to
/// live bounds what another server sharing the database could show stale.
pub type VerificationCache = crate::cache::TtlCache<String, Arc<Verification>>;
pub const VERIFICATION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Looks a typed code up: the check character first, then the cache, then the database. The
/// signature is checked once per cached entry.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    cache: &VerificationCache,
    typed: &str,
) -> Result<Lookup, AppError> {
    let code = match crate::certcode::parse(typed) {
        Ok(code) => code,
        Err(e) => return Ok(Lookup::Typo(e)),
    };
    if let Some(v) = cache.get(&code) {
        return Ok(Lookup::Found(v));
    }
    let epoch = cache.epoch();
    let Some(c) = by_code(db, &code).await? else { return Ok(Lookup::Unknown) };
    let v = Arc::new(verification(key, c)?);
    cache.insert_at(code, v.clone(), epoch);
    Ok(Lookup::Found(v))
}

/// Reads a certificate's payload and checks its signature against `key`.
pub fn verification(key: &crate::signing::CertificateKey, c: certificate::Model) -> Result<Verification, AppError> {
    let payload: Payload = serde_json::from_str(&c.payload)
        .map_err(|e| AppError::Internal(format!("certificate {}: unreadable payload: {e}", c.id)))?;
    let signature_valid = c.key_id == key.key_id
        && crate::signing::verify(&key.public_b64(), c.payload.as_bytes(), &c.signature)
        && payload.code == c.verification_code
        && payload.number == c.number;
    Ok(Verification { certificate: c, payload, signature_valid })
}

/// The certificate with this canonical code.
pub async fn by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<Option<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(certificate::Entity::find().filter(certificate::Column::VerificationCode.eq(code)).one(db).await?)
}

/// A person's certificates, newest first.
pub async fn of_person<C: ConnectionTrait>(db: &C, person_id: i32) -> Result<Vec<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .order_by_desc(certificate::Column::Id)
        .all(db)
        .await?)
}

/// A diklat's certificates in number order.
pub async fn of_diklat<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Vec<certificate::Model>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(diklat_id))
        .order_by_asc(certificate::Column::Seq)
        .all(db)
        .await?)
}

/// A certificate the caller manages (its diklat is in one of `scopes`), else `NotFound`.
pub async fn managed<C: ConnectionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    certificate_id: i32,
) -> Result<(certificate::Model, diklat::Model), AppError> {
    use sea_orm::EntityTrait;
    let c = certificate::Entity::find_by_id(certificate_id).one(db).await?.ok_or(AppError::NotFound)?;
    let d = schedule::managed(db, scopes, c.diklat_id).await?;
    Ok((c, d))
}

/// The certificate whose code is `typed`, if `caller` may download it: its holder, or panitia
/// or admin whose scope covers its diklat. Anything else — a malformed code, an unknown one,
/// someone else's — is `NotFound`, so a response never tells which.
pub async fn downloadable<C: ConnectionTrait>(
    db: &C,
    caller: &crate::auth::Caller,
    typed: &str,
) -> Result<certificate::Model, AppError> {
    use crate::auth::Role;
    let code = crate::certcode::parse(typed).map_err(|_| AppError::NotFound)?;
    let c = by_code(db, &code).await?.ok_or(AppError::NotFound)?;
    if c.person_id == caller.person_id
        || (caller.require_any(&[Role::Panitia, Role::Admin]).is_ok()
            && managed(db, &caller.management_scopes(), c.id).await.is_ok())
    {
        Ok(c)
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads and checks each certificate (see [`verification`]).
pub fn verifications(
    key: &crate::signing::CertificateKey,
    certificates: Vec<certificate::Model>,
) -> Result<Vec<Verification>, AppError> {
    certificates.into_iter().map(|c| verification(key, c)).collect()
}

/// The certificates of a diklat the caller manages, read and checked, in number order; only
/// those of `kelurahan` when it is given (what a ZIP holds).
pub async fn managed_of_diklat<C: ConnectionTrait>(
    db: &C,
    key: &crate::signing::CertificateKey,
    scopes: &[crate::auth::Scope],
    diklat_id: i32,
    kelurahan: Option<&str>,
) -> Result<(diklat::Model, Vec<Verification>), AppError> {
    let d = schedule::managed(db, scopes, diklat_id).await?;
    let mut list = verifications(key, of_diklat(db, d.id).await?)?;
    if let Some(k) = kelurahan {
        list.retain(|v| v.payload.kelurahan == k);
    }
    Ok((d, list))
}

/// Shortest reason a revocation accepts (it is shown to everyone who verifies the certificate).
pub const MIN_REASON_CHARS: usize = 10;

/// Revokes a certificate (panitia or admin of its diklat): never a delete — the number stays
/// taken and verification shows *Dicabut* with the reason and date. Audited.
pub async fn revoke<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    certificate_id: i32,
    reason: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<certificate::Model, AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionSession};
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        return Err(AppError::invalid(
            "Alasan pencabutan",
            format!("Alasan pencabutan: tulis alasannya (minimal {MIN_REASON_CHARS} karakter); alasan ini ditampilkan saat sertifikat diperiksa."),
            format!("Reason for revocation: write the reason (at least {MIN_REASON_CHARS} characters); it is shown when the certificate is verified."),
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "Alasan pencabutan",
            "Alasan pencabutan: paling banyak 500 karakter.",
            "Reason for revocation: at most 500 characters.",
        ));
    }
    let txn = db.begin().await?;
    let (c, _) = managed(&txn, scopes, certificate_id).await?;
    if c.status == "revoked" {
        return Err(AppError::invalid(
            "Sertifikat",
            format!("{} sudah dicabut.", c.number),
            format!("{} has already been revoked.", c.number),
        ));
    }
    let mut row: certificate::ActiveModel = c.into();
    row.status = Set("revoked".into());
    row.revoked_at = Set(Some(now));
    row.revoked_by = Set(Some(actor));
    row.revocation_reason = Set(Some(reason.to_string()));
    let c = row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "certificate.revoke",
        "certificate",
        Some(c.id.to_string()),
        Some(serde_json::json!({ "number": c.number, "reason": reason })),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Sets or clears a certificate's expiry date (after its issue date). Audited.
pub async fn set_expiry<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    scopes: &[crate::auth::Scope],
    actor: i32,
    certificate_id: i32,
    expires_on: Option<chrono::NaiveDate>,
) -> Result<certificate::Model, AppError> {
    use sea_orm::{ActiveModelTrait, Set, TransactionSession};
    let txn = db.begin().await?;
    let (c, _) = managed(&txn, scopes, certificate_id).await?;
    let issued_on = c.issued_at.with_timezone(&schedule::wib()).date_naive();
    if expires_on.is_some_and(|d| d <= issued_on) {
        return Err(AppError::invalid(
            "Berlaku sampai",
            format!("Berlaku sampai: tanggal harus sesudah tanggal terbit ({}).", issued_on.format("%d-%m-%Y")),
            format!("Valid until: the date must be after the issue date ({}).", issued_on.format("%d-%m-%Y")),
        ));
    }
    let mut row: certificate::ActiveModel = c.into();
    row.expires_on = Set(expires_on);
    let c = row.update(&txn).await?;
    crate::services::audit::record(
        &txn,
        Some(actor),
        "certificate.expiry",
        "certificate",
        Some(c.id.to_string()),
        Some(serde_json::json!({ "number": c.number, "expires_on": expires_on })),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
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
