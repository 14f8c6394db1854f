//! How a participant attended a session (H/T/I/S/A) and where the mark came from: values the
//! attendance, schedule and report services share, with no service of their own to depend on.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Hadir,
    Terlambat,
    Izin,
    Sakit,
    Alpa,
}

impl Status {
    pub const ALL: [Status; 5] = [Status::Hadir, Status::Terlambat, Status::Izin, Status::Sakit, Status::Alpa];

    pub fn code(self) -> &'static str {
        match self {
            Status::Hadir => "H",
            Status::Terlambat => "T",
            Status::Izin => "I",
            Status::Sakit => "S",
            Status::Alpa => "A",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Hadir => "Hadir",
            Status::Terlambat => "Terlambat",
            Status::Izin => "Izin",
            Status::Sakit => "Sakit",
            Status::Alpa => "Alpa",
        }
    }

    /// I and S carry a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Izin | Status::Sakit)
    }
}

/// Where a mark came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Panitia,
    Checkin,
    Paper,
    Import,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Panitia => "panitia",
            Source::Checkin => "checkin",
            Source::Paper => "paper",
            Source::Import => "import",
        }
    }
}
