//! Scheduling: a diklat (angkatan), its sessions (sesi) with room and speaker, and who is
//! enrolled. Dates and times are local to Asia/Jakarta (WIB, UTC+7, no daylight saving).
//!
//! One file per job: [`diklat`], its [`sessions`], and [`enrolment`].

mod diklat;
mod enrolment;
mod sessions;

pub use diklat::*;
pub use enrolment::*;
pub use sessions::*;

/// Western Indonesia Time.
pub use crate::services::clock::{today_wib, wib, wib_instant};
