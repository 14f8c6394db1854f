//! Issuing: the signed payload, numbered without gaps, for those who meet the rule.

use super::{
    payload::{Payload, PAYLOAD_VERSION},
    rule::{rule_modules, standings, Standing},
};
use crate::{
    entities::{certificate, diklat},
    services::schedule,
    AppError,
};

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
    use crate::entities::person;
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
    let place = crate::services::people::place_of(db, p.cooperative_id).await?;
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
        jabatan: p.position.map(|j| j.code().to_string()).unwrap_or_default(),
        kkmp: place.as_ref().map(|at| at.cooperative.name.clone()).unwrap_or_default(),
        kelurahan: place.as_ref().map(|at| at.village.name.clone()).unwrap_or_default(),
        kecamatan: place.map(|at| at.district.name).unwrap_or_default(),
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
        status: Set(types::CertificateStatus::Valid),
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
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
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
        .filter(diklat::Column::Status.is_in([types::DiklatStatus::Running, types::DiklatStatus::Finished]))
        .filter(diklat::Column::EndsOn.gte(since))
        .all(read)
        .await?
    {
        count += issue_eligible(read, db, key, &d, modules, None, None).await?.len();
    }
    Ok(count)
}
