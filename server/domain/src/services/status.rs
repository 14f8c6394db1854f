//! How a participant attended a session (H/T/I/S/A) and where the mark came from: values the
//! attendance, schedule and report services share, with no service of their own to depend on.

/// A mark (H/T/I/S/A): the shared type, under the name the services use.
pub use types::Attendance as Status;

/// Where a mark came from: the shared type, under the name the services use.
pub use types::MarkSource as Source;
