//! How a participant attended a session (H/T/I/S/A) and where the mark came from: values the
//! attendance, schedule and report services share, with no service of their own to depend on.

/// A mark (H/T/I/S/A): the shared type, under the name the services use.
pub use types::Attendance as Status;

/// Where a mark came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Panitia,
    Checkin,
    Paper,
    Import,
}

impl Source {
    pub const ALL: [Source; 4] = [Source::Panitia, Source::Checkin, Source::Paper, Source::Import];

    pub fn from_code(code: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.code() == code)
    }

    /// How the session report names it (Bahasa Indonesia).
    pub fn label(self) -> &'static str {
        match self {
            Source::Panitia => "Panitia",
            Source::Checkin => "Presensi mandiri",
            Source::Paper => "Daftar hadir kertas",
            Source::Import => "Impor berkas",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Source::Panitia => "panitia",
            Source::Checkin => "checkin",
            Source::Paper => "paper",
            Source::Import => "import",
        }
    }
}
