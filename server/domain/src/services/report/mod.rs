//! The officials' reports: who is certified, coverage per region, readiness per KKMP, learning.
//!
//! Aggregates come from the `standings` summary (one row per enrolled participant and diklat,
//! with the region copied in) left-joined to `certificates`, grouped in SQL — never from rows
//! loaded into Rust. A diklat's rows are rewritten by [`refresh`] whenever it is marked stale
//! ([`crate::services::stale::mark_stale`], called by every service that changes attendance, sessions, enrolment, the
//! rule, quiz results or a participant's KKMP). Certificates are read live, so a revocation
//! counts at once.
//!
//! A certificate counts when it is valid and not expired. A KKMP is **siap** when at least one
//! of its pengurus and one of its pengawas hold one (the program trains one of each per KKMP),
//! **sebagian** when only one side does.
//!
//! One file per job: [`standings`] keeps the summary fresh, [`area`] and [`place`] say where a
//! report looks, [`filter`] what it is narrowed to, [`coverage`] and [`learning`] count, [`figures`]
//! caches a page's counts, [`people`] lists who is behind them.

mod area;
mod coverage;
mod figures;
mod filter;
mod learning;
mod people;
mod place;
mod standings;

pub use area::*;
pub use coverage::*;
pub use figures::*;
pub use filter::*;
pub use learning::*;
pub use people::*;
pub use place::*;
pub use standings::*;
