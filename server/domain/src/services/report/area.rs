//! Where a report looks: a level of the region tree.

/// A level of the region tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Area {
    National,
    Province(i32),
    Regency(i32),
    District(i32),
    Village(i32),
}

impl Area {
    /// The standings column of this level's own id (none for the whole country).
    pub(super) fn column(self) -> Option<(&'static str, i32)> {
        match self {
            Area::National => None,
            Area::Province(id) => Some(("province_id", id)),
            Area::Regency(id) => Some(("regency_id", id)),
            Area::District(id) => Some(("district_id", id)),
            Area::Village(id) => Some(("village_id", id)),
        }
    }

    /// The standings column of the level below (a village is its own only child).
    pub(super) fn child_column(self) -> &'static str {
        match self {
            Area::National => "province_id",
            Area::Province(_) => "regency_id",
            Area::Regency(_) => "district_id",
            Area::District(_) | Area::Village(_) => "village_id",
        }
    }

    /// The name of the level below, for headings: "Provinsi", "Kabupaten/Kota", …
    pub fn child_label(self) -> &'static str {
        match self {
            Area::National => "Provinsi",
            Area::Province(_) => "Kabupaten/Kota",
            Area::Regency(_) => "Kecamatan",
            Area::District(_) | Area::Village(_) => "Kelurahan/Desa",
        }
    }

    /// Whether people are listed at this level (from a kabupaten/kota down; above it only when
    /// searching by name, so a national page never sorts 800,000 names).
    pub fn lists_people(self) -> bool {
        matches!(self, Area::Regency(_) | Area::District(_) | Area::Village(_))
    }
}
