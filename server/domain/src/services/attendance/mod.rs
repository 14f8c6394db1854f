//! Attendance (presensi): H, T, I, S, A per person and session, marked by panitia (the grid,
//! paper lists, CSV) or by the peserta themselves with the rotating check-in code.
//!
//! Every change keeps the replaced value in `attendance_history`, bumps the row's version and
//! writes an audit line; a grid saved over someone else's newer change skips that row and says so.
//!
//! One file per job: [`marks`] by the panitia, self [`checkin`], and [`reports`] (with imported
//! paper marks).

mod checkin;
mod marks;
mod reports;

pub use crate::services::status::{Source, Status};
pub use checkin::*;
pub use marks::*;
pub use reports::*;
