//! Domain values the server and the browser build share, each parsed once from its code (the
//! form values, CSV cells and database columns) and labelled here in both languages. Only serde,
//! so the wasm build can use it; with the `sea-orm` feature (the server's) the stored values are
//! also column types, so an entity holds an enum where the table holds its code.

/// `FromStr` and `Display` through the type's `code`/`from_code`: what a stored column reads and
/// writes (sea-orm's `DeriveValueType` for strings uses them).
macro_rules! stored_as_code {
    ($t:ty, $what:literal) => {
        impl std::str::FromStr for $t {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::from_code(s).ok_or_else(|| UnknownCode { what: $what, code: s.to_string() })
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, so a width in the format string (`{:<8}`) applies.
                f.pad(self.code())
            }
        }
    };
}

/// A stored code this build does not know (a row written by a newer version, or by hand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a known {}", self.code, self.what)
    }
}

impl std::error::Error for UnknownCode {}

/// A sentence for a person, in Bahasa Indonesia and in English: what a service says when it
/// refuses something and what a form post reports. Both are required, so a message cannot be
/// added in one language only; the page shows the one of its language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Text {
        Text { id: id.into(), en: en.into() }
    }

    /// The English when `english`, else the Bahasa Indonesia.
    pub fn get(&self, english: bool) -> &str {
        if english {
            &self.en
        } else {
            &self.id
        }
    }
}

/// Written in Bahasa Indonesia (logs, CLI output, `Display` of errors).
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// How a participant attended a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub enum Attendance {
    Hadir,
    Terlambat,
    Izin,
    Sakit,
    Alpa,
}

impl Attendance {
    pub const ALL: [Attendance; 5] =
        [Attendance::Hadir, Attendance::Terlambat, Attendance::Izin, Attendance::Sakit, Attendance::Alpa];

    /// H, T, I, S or A: what forms, CSV files and the database hold.
    pub fn code(self) -> &'static str {
        match self {
            Attendance::Hadir => "H",
            Attendance::Terlambat => "T",
            Attendance::Izin => "I",
            Attendance::Sakit => "S",
            Attendance::Alpa => "A",
        }
    }

    /// From a code, either case, spaces around it ignored.
    pub fn parse(code: &str) -> Option<Attendance> {
        Attendance::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Attendance::Hadir => ("Hadir", "Present"),
            Attendance::Terlambat => ("Terlambat", "Late"),
            Attendance::Izin => ("Izin", "Excused"),
            Attendance::Sakit => ("Sakit", "Sick"),
            Attendance::Alpa => ("Alpa", "Absent"),
        }
    }

    /// The Bahasa Indonesia label.
    pub fn label(self) -> &'static str {
        self.labels().0
    }

    /// I and S carry a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Attendance::Izin | Attendance::Sakit)
    }
}

/// A person's position in their KKMP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Jabatan {
    Ketua,
    WakilKetua,
    Sekretaris,
    Bendahara,
    KetuaPengawas,
    AnggotaPengawas,
    Anggota,
    Staf,
}

impl Jabatan {
    /// Every jabatan, board first.
    pub const ALL: [Jabatan; 8] = [
        Jabatan::Ketua,
        Jabatan::WakilKetua,
        Jabatan::Sekretaris,
        Jabatan::Bendahara,
        Jabatan::KetuaPengawas,
        Jabatan::AnggotaPengawas,
        Jabatan::Anggota,
        Jabatan::Staf,
    ];
    /// The board (pengurus).
    pub const PENGURUS: &[Jabatan] = Jabatan::ALL.split_at(4).0;
    /// The supervisors (pengawas).
    pub const PENGAWAS: &[Jabatan] = Jabatan::ALL.split_at(4).1.split_at(2).0;
    /// What a participant's form offers: the board, the supervisors and members (not staf).
    pub const PARTICIPANT: &[Jabatan] = Jabatan::ALL.split_at(7).0;

    /// What forms, CSV files and the database hold (`ketua_pengawas`).
    pub fn code(self) -> &'static str {
        match self {
            Jabatan::Ketua => "ketua",
            Jabatan::WakilKetua => "wakil_ketua",
            Jabatan::Sekretaris => "sekretaris",
            Jabatan::Bendahara => "bendahara",
            Jabatan::KetuaPengawas => "ketua_pengawas",
            Jabatan::AnggotaPengawas => "anggota_pengawas",
            Jabatan::Anggota => "anggota",
            Jabatan::Staf => "staf",
        }
    }

    pub fn from_code(code: &str) -> Option<Jabatan> {
        Jabatan::ALL.into_iter().find(|j| j.code() == code)
    }

    /// A jabatan as people write it, in Bahasa Indonesia or English ("Ketua Pengawas",
    /// "treasurer"), case, spaces and punctuation ignored. Staf is not a participant's jabatan.
    pub fn parse(input: &str) -> Option<Jabatan> {
        let p: String = input.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
        Some(match p.as_str() {
            "ketua" | "chair" | "chairperson" => Jabatan::Ketua,
            "wakilketua" | "vicechair" => Jabatan::WakilKetua,
            "sekretaris" | "secretary" => Jabatan::Sekretaris,
            "bendahara" | "treasurer" => Jabatan::Bendahara,
            "ketuapengawas" | "chiefsupervisor" => Jabatan::KetuaPengawas,
            "anggotapengawas" | "pengawas" | "supervisor" => Jabatan::AnggotaPengawas,
            "anggota" | "member" => Jabatan::Anggota,
            _ => return None,
        })
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Jabatan::Ketua => ("Ketua", "Chair"),
            Jabatan::WakilKetua => ("Wakil Ketua", "Vice chair"),
            Jabatan::Sekretaris => ("Sekretaris", "Secretary"),
            Jabatan::Bendahara => ("Bendahara", "Treasurer"),
            Jabatan::KetuaPengawas => ("Ketua Pengawas", "Chief supervisor"),
            Jabatan::AnggotaPengawas => ("Anggota Pengawas", "Supervisor"),
            Jabatan::Anggota => ("Anggota", "Member"),
            Jabatan::Staf => ("Staf", "Staff"),
        }
    }
}

/// Pre-test (before reading) or post-test (after).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub fn code(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
    /// The stored code (`quizzes.kind`): `pre` / `post`.
    pub fn from_code(s: &str) -> Option<Phase> {
        match s {
            "pre" => Some(Phase::Pre),
            "post" => Some(Phase::Post),
            _ => None,
        }
    }
    /// The word in URLs: `awal` / `akhir`.
    pub fn slug(self) -> &'static str {
        match self {
            Phase::Pre => "awal",
            Phase::Post => "akhir",
        }
    }
    pub fn from_slug(s: &str) -> Option<Phase> {
        match s {
            "awal" => Some(Phase::Pre),
            "akhir" => Some(Phase::Post),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        self.labels().0
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Phase::Pre => ("Tes awal", "Pre-test"),
            Phase::Post => ("Tes akhir", "Post-test"),
        }
    }
}

/// A role an account holds (its region comes with the grant): stored as its code in
/// `role_grants.role`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Peserta,
    Panitia,
    Pejabat,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Peserta, Role::Panitia, Role::Pejabat, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Peserta => "peserta",
            Role::Panitia => "panitia",
            Role::Pejabat => "pejabat",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            Role::Peserta => ("Peserta", "Participant"),
            Role::Panitia => ("Panitia", "Organiser"),
            Role::Pejabat => ("Pejabat", "Official"),
            Role::Admin => ("Admin", "Administrator"),
        }
    }
}

stored_as_code!(Attendance, "attendance mark");
stored_as_code!(Role, "role");
stored_as_code!(Phase, "test phase");

impl Attendance {
    /// The stored code exactly (`attendances.status`); [`Attendance::parse`] reads what people type.
    pub fn from_code(code: &str) -> Option<Attendance> {
        Attendance::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Where a test attempt stands (`attempts.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    /// Open: answers are still saved.
    InProgress,
    /// Sent by the participant.
    Submitted,
    /// Closed by its deadline and graded with what was saved.
    Expired,
}

impl AttemptStatus {
    pub const ALL: [AttemptStatus; 3] = [AttemptStatus::InProgress, AttemptStatus::Submitted, AttemptStatus::Expired];

    pub fn code(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<AttemptStatus> {
        AttemptStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_open(self) -> bool {
        self == AttemptStatus::InProgress
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            AttemptStatus::InProgress => ("Sedang dikerjakan", "In progress"),
            AttemptStatus::Submitted => ("Selesai", "Submitted"),
            AttemptStatus::Expired => ("Waktu habis", "Timed out"),
        }
    }
}
stored_as_code!(AttemptStatus, "attempt status");

/// What the issuer decided about a certificate (`certificates.status`). Whether it has expired
/// is read from its date, not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub enum CertificateStatus {
    Valid,
    Revoked,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 2] = [CertificateStatus::Valid, CertificateStatus::Revoked];

    pub fn code(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Revoked => "revoked",
        }
    }

    pub fn from_code(code: &str) -> Option<CertificateStatus> {
        CertificateStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}
stored_as_code!(CertificateStatus, "certificate status");

/// Where a diklat stands (`diklat.status`), chosen by its panitia.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub enum DiklatStatus {
    Draft,
    Open,
    Running,
    Finished,
}

impl DiklatStatus {
    pub const ALL: [DiklatStatus; 4] =
        [DiklatStatus::Draft, DiklatStatus::Open, DiklatStatus::Running, DiklatStatus::Finished];

    pub fn code(self) -> &'static str {
        match self {
            DiklatStatus::Draft => "draft",
            DiklatStatus::Open => "open",
            DiklatStatus::Running => "running",
            DiklatStatus::Finished => "finished",
        }
    }

    pub fn from_code(code: &str) -> Option<DiklatStatus> {
        DiklatStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            DiklatStatus::Draft => ("Draf", "Draft"),
            DiklatStatus::Open => ("Pendaftaran dibuka", "Open"),
            DiklatStatus::Running => ("Berlangsung", "Running"),
            DiklatStatus::Finished => ("Selesai", "Finished"),
        }
    }
}
stored_as_code!(DiklatStatus, "diklat status");

/// Whether a person is on a diklat's list (`enrolments.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
pub enum EnrolmentStatus {
    Enrolled,
    Withdrawn,
}

impl EnrolmentStatus {
    pub const ALL: [EnrolmentStatus; 2] = [EnrolmentStatus::Enrolled, EnrolmentStatus::Withdrawn];

    pub fn code(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL.into_iter().find(|s| s.code() == code)
    }
}
stored_as_code!(EnrolmentStatus, "enrolment status");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself() {
        for s in Attendance::ALL {
            assert_eq!(Attendance::parse(s.code()), Some(s));
            assert_eq!(Attendance::parse(&format!(" {} ", s.code().to_lowercase())), Some(s));
        }
        for j in Jabatan::ALL {
            assert_eq!(Jabatan::from_code(j.code()), Some(j));
        }
        for &j in Jabatan::PARTICIPANT {
            assert_eq!(Jabatan::parse(j.code()), Some(j), "a code typed as text reads as itself");
            assert_eq!(Jabatan::parse(j.labels().0), Some(j), "so does its label");
        }
        assert_eq!(Jabatan::PENGAWAS, [Jabatan::KetuaPengawas, Jabatan::AnggotaPengawas]);
        assert_eq!(Jabatan::parse("treasurer"), Some(Jabatan::Bendahara));
        assert_eq!(Jabatan::parse("direktur"), None);
        for s in AttemptStatus::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        for s in CertificateStatus::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        for s in DiklatStatus::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        for s in EnrolmentStatus::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        for s in Attendance::ALL {
            assert_eq!(s.to_string().parse(), Ok(s));
        }
        for r in Role::ALL {
            assert_eq!(r.to_string().parse(), Ok(r));
        }
        assert_eq!(format!("[{:<8}]", Role::Admin), "[admin   ]");
        let unknown = "h".parse::<Attendance>().unwrap_err();
        assert_eq!(unknown.to_string(), "`h` is not a known attendance mark");
    }
}
