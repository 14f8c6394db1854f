//! Tests belong to a diklat: a pre-test or post-test is taken as part of an enrolment, inside
//! that enrolment's window for the module, and counts for that diklat only.
//!
//! - **The modules a diklat teaches**: those its completion rule lists (`diklat_modules`), or by
//!   default those of its sessions.
//! - **Pre-test**: from enrolment until the diklat's first session on the module starts; a
//!   participant enrolled after that session has until the first session on it they attend.
//!   Never after the module's post-test in the same diklat.
//! - **Post-test**: from the first session on the module until the end of the diklat's closing
//!   day (`tests_close_on`, by default the last day + 14).
//!
//! A leaf module: it reads entities and the clock, and imports no other service.

use crate::{
    entities::{attempt, attendance, diklat, diklat_module, diklat_session, enrolment, quiz},
    error::Text,
    services::clock::{wib, wib_instant},
    AppError,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeSet;

/// Days after its last day that a diklat's post-tests stay open unless the panitia sets a date.
pub const DEFAULT_CLOSE_DAYS: i64 = 14;

/// The last day a post-test counts for `d`.
pub fn close_on(d: &diklat::Model) -> NaiveDate {
    d.tests_close_on.unwrap_or(d.ends_on + Duration::days(DEFAULT_CLOSE_DAYS))
}

/// The first instant after the closing day (WIB).
pub fn closed_from(d: &diklat::Model) -> DateTime<Utc> {
    wib_instant(close_on(d) + Duration::days(1), NaiveTime::MIN)
}

/// The module ids the diklat's rule lists itself (none: it takes the modules of its sessions).
pub async fn listed_modules<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(diklat_module::Entity::find()
        .filter(diklat_module::Column::DiklatId.eq(diklat_id))
        .order_by_asc(diklat_module::Column::SortOrder)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.module_id)
        .collect())
}

/// The module ids the diklat teaches: its rule's list, or the modules of its sessions.
pub async fn modules_of<C: ConnectionTrait>(db: &C, d: &diklat::Model) -> Result<Vec<i32>, AppError> {
    let listed = listed_modules(db, d.id).await?;
    if !listed.is_empty() {
        return Ok(listed);
    }
    let taught: BTreeSet<i32> = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| s.module_id)
        .collect();
    Ok(taught.into_iter().collect())
}

/// When the diklat's last session ends (WIB), if it has sessions.
pub async fn last_session_end<C: ConnectionTrait>(db: &C, diklat_id: i32) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(diklat_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| wib_instant(s.session_date, s.ends_at))
        .max())
}

/// The window of one enrolment for one module.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub diklat: diklat::Model,
    /// The pre-test is open from enrolment until this instant (`None`: until the participant's
    /// first attended session on the module, not yet held for them).
    pub pre_until: Option<DateTime<Utc>>,
    pub enrolled_at: DateTime<Utc>,
    /// The post-test opens when the module's first session starts…
    pub post_from: DateTime<Utc>,
    /// …and stays open until this instant (the day after the closing day, WIB).
    pub post_until: DateTime<Utc>,
}

impl Window {
    pub fn pre_open(&self, now: DateTime<Utc>) -> bool {
        now >= self.enrolled_at && self.pre_until.is_none_or(|until| now < until)
    }

    pub fn post_open(&self, now: DateTime<Utc>) -> bool {
        now >= self.post_from && now < self.post_until
    }
}

/// The windows of every enrolment of `person_id` in a diklat that teaches `module_id`.
pub async fn windows<C: ConnectionTrait>(db: &C, person_id: i32, module_id: i32) -> Result<Vec<Window>, AppError> {
    let mut out = Vec::new();
    for e in enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq(types::EnrolmentStatus::Enrolled))
        .all(db)
        .await?
    {
        let Some(d) = diklat::Entity::find_by_id(e.diklat_id).one(db).await? else { continue };
        if !modules_of(db, &d).await?.contains(&module_id) {
            continue;
        }
        let sessions = diklat_session::Entity::find()
            .filter(diklat_session::Column::DiklatId.eq(d.id))
            .filter(diklat_session::Column::ModuleId.eq(module_id))
            .all(db)
            .await?;
        let first = sessions
            .iter()
            .map(|s| wib_instant(s.session_date, s.starts_at))
            .min()
            .unwrap_or_else(|| wib_instant(d.starts_on, NaiveTime::MIN));
        let pre_until = if e.enrolled_at < first {
            Some(first)
        } else {
            // Enrolled after the module's first session: until their own first session on it.
            let ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
            let present: Vec<&str> = d.present_statuses.split(',').map(str::trim).collect();
            let attended = attendance::Entity::find()
                .filter(attendance::Column::PersonId.eq(person_id))
                .filter(attendance::Column::DiklatSessionId.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .filter(|a| present.contains(&a.status.code()))
                .filter_map(|a| sessions.iter().find(|s| s.id == a.diklat_session_id))
                .map(|s| wib_instant(s.session_date, s.starts_at))
                .min();
            attended
        };
        out.push(Window {
            post_until: closed_from(&d),
            diklat: d,
            pre_until,
            enrolled_at: e.enrolled_at,
            post_from: first,
        });
    }
    out.sort_by_key(|w| w.post_until);
    Ok(out)
}

/// Why a test cannot be started now, in a sentence the participant understands.
#[derive(Clone, Debug, PartialEq)]
pub enum Closed {
    NotEnrolled,
    PreClosed { since: DateTime<Utc> },
    PreAfterPost,
    PostNotYet { from: DateTime<Utc> },
    PostClosed { on: NaiveDate },
}

fn when(t: DateTime<Utc>) -> String {
    t.with_timezone(&wib()).format("%d-%m-%Y pukul %H:%M WIB").to_string()
}

fn when_en(t: DateTime<Utc>) -> String {
    t.with_timezone(&wib()).format("%d-%m-%Y at %H:%M WIB").to_string()
}

impl Closed {
    /// [`Closed::text`] in Bahasa Indonesia.
    pub fn message(&self) -> String {
        self.text().id
    }

    /// The sentence in Bahasa Indonesia and English.
    pub fn text(&self) -> Text {
        match self {
            Closed::NotEnrolled => Text::new(
                "Tes ini dikerjakan sebagai bagian dari diklat. Anda belum terdaftar pada diklat yang \
                                    mengajarkan modul ini; hubungi panitia.",
                "This test is taken as part of a training. You are not enrolled yet in a training that teaches \
                 this module; contact the organisers.",
            ),
            Closed::PreClosed { since } => Text::new(
                format!("Tes awal modul ini sudah ditutup sejak sesi pertamanya dimulai ({}).", when(*since)),
                format!("This module's pre-test closed when its first session started ({}).", when_en(*since)),
            ),
            Closed::PreAfterPost => Text::new(
                "Tes awal tidak dapat dikerjakan setelah tes akhir modul yang sama.",
                "The pre-test cannot be taken after the post-test of the same module.",
            ),
            Closed::PostNotYet { from } => Text::new(
                format!("Tes akhir dibuka saat sesi modul ini dimulai: {}.", when(*from)),
                format!("The post-test opens when this module's session starts: {}.", when_en(*from)),
            ),
            Closed::PostClosed { on } => Text::new(
                format!("Tes akhir untuk diklat Anda sudah ditutup pada {}.", on.format("%d-%m-%Y")),
                format!("The post-test for your training closed on {}.", on.format("%d-%m-%Y")),
            ),
        }
    }
}

/// Whether `person_id` has started the post-test of `module_id` in `diklat_id`.
async fn post_started<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    module_id: i32,
    diklat_id: i32,
) -> Result<bool, AppError> {
    let post = quiz::Entity::find()
        .filter(quiz::Column::ModuleId.eq(module_id))
        .filter(quiz::Column::Kind.eq(types::Phase::Post))
        .filter(quiz::Column::DiklatId.is_null())
        .one(db)
        .await?;
    let Some(post) = post else { return Ok(false) };
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person_id))
        .filter(attempt::Column::QuizId.eq(post.id))
        .filter(attempt::Column::DiklatId.eq(diklat_id))
        .one(db)
        .await?
        .is_some())
}

/// The diklat whose window lets `person_id` take the `pre` (or post) test of `module_id` at
/// `now` — the one closing first when several do — or why none does.
pub async fn open_for<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    module_id: i32,
    pre: bool,
    now: DateTime<Utc>,
) -> Result<Result<diklat::Model, Closed>, AppError> {
    let all = windows(db, person_id, module_id).await?;
    let mut refusal = Closed::NotEnrolled;
    for w in all {
        if pre {
            if !w.pre_open(now) {
                if let Some(since) = w.pre_until {
                    refusal = Closed::PreClosed { since };
                }
                continue;
            }
            if post_started(db, person_id, module_id, w.diklat.id).await? {
                refusal = Closed::PreAfterPost;
                continue;
            }
        } else if !w.post_open(now) {
            refusal = if now < w.post_from {
                Closed::PostNotYet { from: w.post_from }
            } else {
                Closed::PostClosed { on: close_on(&w.diklat) }
            };
            continue;
        }
        return Ok(Ok(w.diklat));
    }
    Ok(Err(refusal))
}
