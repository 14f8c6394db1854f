//! Domain values the server and the browser build share, each parsed once from its code (the
//! form values, CSV cells and database columns) and labelled here in both languages. Only serde,
//! so the wasm build can use it; with the `sea-orm` feature (the server's) the stored values are
//! also column types, so an entity holds an enum where the table holds its code.

pub mod views;

/// Percent-encodes a path or fragment for use inside a query parameter.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `FromStr`, `Display` and serde through the type's `code`/`from_code`: what a stored column
/// reads and writes (sea-orm's `DeriveValueType` for strings uses them), and what crosses the wasm
/// boundary.
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
        /// Sent as its code, so a page and a JSON answer hold the same value as the database.
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$t>::from_code(&code)
                    .ok_or_else(|| serde::de::Error::custom(UnknownCode { what: $what, code: code.into_owned() }))
            }
        }
    };
}

/// Declares an enum whose values are stored and posted as codes, with what every such enum has:
/// `ALL` (in order), `code`, `from_code` (the code exactly), and `FromStr`/`Display` through
/// them ([`stored_as_code!`]). Labels and other readings stay hand-written beside it.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// What forms, CSV files and the database hold.
            pub fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The stored code exactly.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        stored_as_code!($name, $what);
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
/// added in one language only; the page shows the one of its language. An island asking a form
/// post for data gets a refusal as this, in JSON (`{"id": …, "en": …}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

coded_enum! {
    /// How a participant attended a session: H, T, I, S or A.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum Attendance as "attendance mark" {
        Hadir = "H",
        Terlambat = "T",
        Izin = "I",
        Sakit = "S",
        Alpa = "A",
    }
}

impl Attendance {
    /// From a code as people type it: either case, spaces around it ignored.
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

coded_enum! {
    /// Where an attendance mark came from (`attendances.source`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum MarkSource as "mark source" {
        /// Marked by the panitia in the attendance grid.
        Panitia = "panitia",
        /// The participant checked in with the session's code.
        Checkin = "checkin",
        /// Copied from the paper attendance list.
        Paper = "paper",
        /// From an uploaded attendance file.
        Import = "import",
    }
}

impl MarkSource {
    /// (Bahasa Indonesia, English), as the session report names it.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            MarkSource::Panitia => ("Panitia", "Organiser"),
            MarkSource::Checkin => ("Presensi mandiri", "Self check-in"),
            MarkSource::Paper => ("Daftar hadir kertas", "Paper attendance list"),
            MarkSource::Import => ("Impor berkas", "File import"),
        }
    }
}

coded_enum! {
    /// A person's position in their KKMP, board first; its code is what forms, CSV files and the
    /// database hold (`ketua_pengawas`, `people.position`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum Jabatan as "jabatan" {
        Ketua = "ketua",
        WakilKetua = "wakil_ketua",
        Sekretaris = "sekretaris",
        Bendahara = "bendahara",
        KetuaPengawas = "ketua_pengawas",
        AnggotaPengawas = "anggota_pengawas",
        Anggota = "anggota",
        Staf = "staf",
    }
}

impl Jabatan {
    /// The board (pengurus).
    pub const PENGURUS: &[Jabatan] = Jabatan::ALL.split_at(4).0;
    /// The supervisors (pengawas).
    pub const PENGAWAS: &[Jabatan] = Jabatan::ALL.split_at(4).1.split_at(2).0;
    /// What a participant's form offers: the board, the supervisors and members (not staf).
    pub const PARTICIPANT: &[Jabatan] = Jabatan::ALL.split_at(7).0;

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

coded_enum! {
    /// Pre-test (before reading) or post-test (after), stored as `pre` / `post` (`quizzes.kind`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum Phase as "test phase" {
        Pre = "pre",
        Post = "post",
    }
}

impl Phase {
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

coded_enum! {
    /// A role an account holds (its region comes with the grant): stored as its code in
    /// `role_grants.role`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum Role as "role" {
        Peserta = "peserta",
        Panitia = "panitia",
        Pejabat = "pejabat",
        Admin = "admin",
    }
}

impl Role {
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

coded_enum! {
    /// Where a test attempt stands (`attempts.status`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum AttemptStatus as "attempt status" {
        /// Open: answers are still saved.
        InProgress = "in_progress",
        /// Sent by the participant.
        Submitted = "submitted",
        /// Closed by its deadline and graded with what was saved.
        Expired = "expired",
    }
}

impl AttemptStatus {
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

coded_enum! {
    /// What the issuer decided about a certificate (`certificates.status`). Whether it has
    /// expired is read from its date, not stored.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum CertificateStatus as "certificate status" {
        Valid = "valid",
        Revoked = "revoked",
    }
}

coded_enum! {
    /// A certificate's standing today, as a verifier is told it (the JSON API's `status`): the
    /// issuer's decision and the expiry date read together. Revoked wins over expired.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum CertificateStanding as "certificate standing" {
        Active = "aktif",
        Revoked = "dicabut",
        Expired = "kedaluwarsa",
    }
}

impl CertificateStanding {
    /// A certificate with this `status` and `expires_on`, on `today` (it expires the day after).
    pub fn of<D: PartialOrd>(status: CertificateStatus, expires_on: Option<D>, today: D) -> CertificateStanding {
        match (status, expires_on) {
            (CertificateStatus::Revoked, _) => CertificateStanding::Revoked,
            (CertificateStatus::Valid, Some(on)) if on < today => CertificateStanding::Expired,
            (CertificateStatus::Valid, _) => CertificateStanding::Active,
        }
    }

    /// (Bahasa Indonesia, English)
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            CertificateStanding::Active => ("Aktif", "Valid"),
            CertificateStanding::Revoked => ("Dicabut", "Revoked"),
            CertificateStanding::Expired => ("Kedaluwarsa", "Expired"),
        }
    }
}

coded_enum! {
    /// Where a diklat stands (`diklat.status`), chosen by its panitia.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum DiklatStatus as "diklat status" {
        Draft = "draft",
        Open = "open",
        Running = "running",
        Finished = "finished",
    }
}

impl DiklatStatus {
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

coded_enum! {
    /// Whether a person is on a diklat's list (`enrolments.status`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
    pub enum EnrolmentStatus as "enrolment status" {
        Enrolled = "enrolled",
        Withdrawn = "withdrawn",
    }
}

/// A value people read in both languages: what a page shows for it (`Lang::label` in the app).
pub trait Labelled: Copy {
    /// (Bahasa Indonesia, English)
    fn labels(self) -> (&'static str, &'static str);
}

macro_rules! labelled {
    ($($t:ty),+) => {
        $(impl Labelled for $t {
            fn labels(self) -> (&'static str, &'static str) {
                <$t>::labels(self)
            }
        })+
    };
}

labelled!(Attendance, MarkSource, Jabatan, Phase, Role, AttemptStatus, CertificateStanding, DiklatStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_certificate_reads_revoked_even_after_its_date_and_a_valid_one_expires_the_day_after() {
        use CertificateStanding as S;
        assert_eq!(S::of(CertificateStatus::Valid, Some(10), 10), S::Active, "still valid on its last day");
        assert_eq!(S::of(CertificateStatus::Valid, Some(9), 10), S::Expired);
        assert_eq!(S::of(CertificateStatus::Valid, None::<i32>, 10), S::Active, "no end date");
        assert_eq!(S::of(CertificateStatus::Revoked, Some(9), 10), S::Revoked);
        assert_eq!(S::of(CertificateStatus::Revoked, None::<i32>, 10), S::Revoked);
    }

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
        for m in MarkSource::ALL {
            assert_eq!(m.to_string().parse(), Ok(m));
        }
        for p in [Phase::Pre, Phase::Post] {
            assert_eq!(p.to_string().parse(), Ok(p));
        }
        for j in Jabatan::ALL {
            assert_eq!(j.to_string().parse(), Ok(j));
        }
        assert_eq!(Phase::ALL.len(), 2);
        assert_eq!(format!("[{:<8}]", Role::Admin), "[admin   ]");
        let unknown = "h".parse::<Attendance>().unwrap_err();
        assert_eq!(unknown.to_string(), "`h` is not a known attendance mark");
    }
}
