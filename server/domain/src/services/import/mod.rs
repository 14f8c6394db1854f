//! Bulk import of participants from CSV or XLSX: every row is checked first, and only a file
//! without a single error is written, in one transaction. Reading the file into cells is
//! `file.rs`; the rows' checks and the write are here.

use crate::{
    auth::{
        ids::{Email, Nik, PhoneNumber},
        Caller, Scope,
    },
    entities::{account, cooperative, district, person, regency, role_grant, village},
    services::audit,
    AppError,
};
use sea_orm::{
    sea_query::ExprTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};
use std::collections::HashMap;
use types::Jabatan;

mod file;

pub use file::{read_table, Table, MAX_COLUMNS, MAX_UNPACKED_BYTES};

/// Files larger than this are refused before reading.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Rows beyond this are refused: split the file.
pub const MAX_ROWS: usize = 20_000;
const BATCH: usize = 500;

/// One problem: the line (CSV) or row (XLSX) number, the column, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    pub line: usize,
    pub field: String,
    /// In Bahasa Indonesia.
    pub message: String,
    /// The same in English.
    #[serde(default)]
    pub message_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header excluded, empty rows skipped).
    pub rows: usize,
    /// Rows written: all of them, or none when there is any error.
    pub imported: usize,
    pub errors: Vec<RowError>,
}

/// A problem, said in Bahasa Indonesia (`id`) and in English (`en`).
fn error(line: usize, field: &str, id: impl Into<String>, en: impl Into<String>) -> RowError {
    RowError { line, field: field.to_string(), message: id.into(), message_en: en.into() }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Column {
    Name,
    Nik,
    Phone,
    Email,
    Village,
    District,
    Position,
}

fn column_of(header: &str) -> Option<Column> {
    let h: String = header.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    Some(match h.as_str() {
        "nama" | "name" | "namalengkap" | "fullname" => Column::Name,
        "nik" | "nikktp" | "noktp" | "idnumber" => Column::Nik,
        "nohp" | "nomorhp" | "hp" | "telepon" | "notelepon" | "phone" | "phonenumber" | "mobile" | "nowa" => {
            Column::Phone
        }
        "email" | "surel" => Column::Email,
        "kelurahan" | "desa" | "kelurahandesa" | "village" => Column::Village,
        "kecamatan" | "district" => Column::District,
        "jabatan" | "position" | "role" => Column::Position,
        _ => return None,
    })
}

/// A phone number from a spreadsheet, where a number cell loses its leading 0 (812… for 0812…).
fn parse_import_phone(input: &str) -> Result<PhoneNumber, AppError> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    if input.trim().starts_with('8') && digits.len() == input.trim().len() {
        PhoneNumber::parse(&format!("0{digits}"))
    } else {
        PhoneNumber::parse(input)
    }
}

struct Candidate {
    line: usize,
    name: String,
    nik: Nik,
    phone: Option<PhoneNumber>,
    email: Option<Email>,
    cooperative_id: i32,
    position: Jabatan,
}

/// Kelurahan/desa within the scopes, by lower-cased name: (village, kecamatan, KKMP id).
async fn villages_in_scope<C: ConnectionTrait>(
    db: &C,
    scopes: &[Scope],
) -> Result<HashMap<String, Vec<(String, String, Option<i32>)>>, AppError> {
    let regencies: Vec<i32> = regency::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|r| scopes.iter().any(|s| s.covers(r.province_id, r.id)))
        .map(|r| r.id)
        .collect();
    let districts = district::Entity::find().filter(district::Column::RegencyId.is_in(regencies)).all(db).await?;
    let district_names: HashMap<i32, String> = districts.iter().map(|d| (d.id, d.name.clone())).collect();
    let villages = village::Entity::find()
        .filter(village::Column::DistrictId.is_in(district_names.keys().copied()))
        .all(db)
        .await?;
    let coops: HashMap<i32, i32> = cooperative::Entity::find()
        .filter(cooperative::Column::VillageId.is_in(villages.iter().map(|v| v.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.village_id, c.id))
        .collect();
    let mut out: HashMap<String, Vec<(String, String, Option<i32>)>> = HashMap::new();
    for v in villages {
        out.entry(v.name.to_lowercase()).or_default().push((
            v.name.clone(),
            district_names.get(&v.district_id).cloned().unwrap_or_default(),
            coops.get(&v.id).copied(),
        ));
    }
    Ok(out)
}

/// Checks every row; writes all of them in one transaction only when none has an error.
pub async fn import_people<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    scopes: &[Scope],
    table: Table,
) -> Result<ImportReport, AppError> {
    let mut rows = table.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((header_line, header)) = rows.next() else {
        return Ok(ImportReport {
            rows: 0,
            imported: 0,
            errors: vec![error(1, "berkas", "Berkas kosong", "The file is empty")],
        });
    };
    let columns: Vec<Option<Column>> = header.iter().map(|h| column_of(h)).collect();
    let index = |c: Column| columns.iter().position(|x| *x == Some(c));
    let mut errors = Vec::new();
    for (required, name) in
        [(Column::Name, "nama"), (Column::Nik, "nik"), (Column::Village, "kelurahan"), (Column::Position, "jabatan")]
    {
        if index(required).is_none() {
            errors.push(error(
                header_line,
                name,
                format!("Kolom `{name}` tidak ada di baris judul"),
                format!("The header row has no `{name}` column"),
            ));
        }
    }
    if index(Column::Phone).is_none() && index(Column::Email).is_none() {
        errors.push(error(
            header_line,
            "no_hp",
            "Perlu kolom `no_hp` atau `email` agar peserta dapat masuk",
            "A `no_hp` or `email` column is needed so that participants can sign in",
        ));
    }
    let rows: Vec<(usize, Vec<String>)> = rows.collect();
    if !errors.is_empty() {
        return Ok(ImportReport { rows: rows.len(), imported: 0, errors });
    }
    if rows.len() > MAX_ROWS {
        let line = rows.last().map_or(0, |r| r.0);
        return Ok(ImportReport {
            rows: rows.len(),
            imported: 0,
            errors: vec![error(
                line,
                "berkas",
                format!("Lebih dari {MAX_ROWS} baris: bagi menjadi beberapa berkas"),
                format!("More than {MAX_ROWS} rows: split it into several files"),
            )],
        });
    }

    let villages = villages_in_scope(db, scopes).await?;
    fn cell_at(cells: &[String], i: Option<usize>) -> &str {
        i.and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("")
    }
    let cell = |cells: &'_ [String], c: Column| -> String { cell_at(cells, index(c)).to_string() };
    let mut candidates = Vec::with_capacity(rows.len());
    for (line, cells) in &rows {
        let line = *line;
        let before = errors.len();
        let name = cell(cells, Column::Name);
        let name = name.as_str();
        if name.is_empty() {
            errors.push(error(line, "nama", "Nama kosong", "The name is empty"));
        } else if name.chars().count() > 150 {
            errors.push(error(line, "nama", "Nama lebih dari 150 karakter", "The name is longer than 150 characters"));
        } else if name.chars().any(char::is_control) {
            errors.push(error(
                line,
                "nama",
                "Nama berisi karakter yang tidak sah",
                "The name contains invalid characters",
            ));
        }
        // A value refused by its parser, in the parser's own words.
        fn refused(line: usize, field: &str, e: AppError) -> RowError {
            let text = e.public_text();
            error(line, field, text.id, text.en)
        }
        let nik = Nik::parse(&cell(cells, Column::Nik)).map_err(|e| errors.push(refused(line, "nik", e))).ok();
        let phone_text = cell(cells, Column::Phone);
        let phone = (!phone_text.is_empty())
            .then(|| parse_import_phone(&phone_text).map_err(|e| errors.push(refused(line, "no_hp", e))).ok())
            .flatten();
        let email_text = cell(cells, Column::Email);
        let email = (!email_text.is_empty())
            .then(|| Email::parse(&email_text).map_err(|e| errors.push(refused(line, "email", e))).ok())
            .flatten();
        if phone_text.is_empty() && email_text.is_empty() {
            errors.push(error(
                line,
                "no_hp",
                "Isi nomor HP atau email agar peserta dapat masuk",
                "Fill in a phone number or email so that the participant can sign in",
            ));
        }
        let position_text = cell(cells, Column::Position);
        let position = Jabatan::parse(&position_text);
        if position.is_none() {
            errors.push(error(
                line,
                "jabatan",
                format!("Jabatan `{position_text}` tidak dikenal (Ketua, Wakil Ketua, Sekretaris, Bendahara, Ketua Pengawas, Anggota Pengawas, Anggota)"),
                format!("Unknown position `{position_text}` (Ketua, Wakil Ketua, Sekretaris, Bendahara, Ketua Pengawas, Anggota Pengawas, Anggota)"),
            ));
        }
        let village_text = cell(cells, Column::Village);
        let district_text = cell(cells, Column::District);
        let cooperative_id = match villages.get(&village_text.to_lowercase()) {
            _ if village_text.is_empty() => {
                errors.push(error(line, "kelurahan", "Kelurahan kosong", "The kelurahan is empty"));
                None
            }
            None => {
                errors.push(error(
                    line,
                    "kelurahan",
                    format!("Kelurahan `{village_text}` tidak ada di wilayah Anda"),
                    format!("Kelurahan `{village_text}` is not in your region"),
                ));
                None
            }
            Some(found) => {
                let matching: Vec<_> = found
                    .iter()
                    .filter(|(_, d, _)| district_text.is_empty() || d.eq_ignore_ascii_case(&district_text))
                    .collect();
                match matching.as_slice() {
                    [(_, _, Some(coop))] => Some(*coop),
                    [(v, _, None)] => {
                        errors.push(error(
                            line,
                            "kelurahan",
                            format!("Kelurahan `{v}` belum punya KKMP"),
                            format!("Kelurahan `{v}` has no KKMP yet"),
                        ));
                        None
                    }
                    [] => {
                        errors.push(error(
                            line,
                            "kecamatan",
                            format!("Kelurahan `{village_text}` tidak ada di kecamatan `{district_text}`"),
                            format!("Kelurahan `{village_text}` is not in kecamatan `{district_text}`"),
                        ));
                        None
                    }
                    _ => {
                        errors.push(error(
                            line,
                            "kecamatan",
                            format!("Ada beberapa kelurahan `{village_text}`: isi kolom kecamatan"),
                            format!("There are several kelurahan named `{village_text}`: fill in the kecamatan column"),
                        ));
                        None
                    }
                }
            }
        };
        if errors.len() == before {
            if let (Some(nik), Some(position), Some(cooperative_id)) = (nik, position, cooperative_id) {
                candidates.push(Candidate {
                    line,
                    name: name.to_string(),
                    nik,
                    phone,
                    email,
                    cooperative_id,
                    position,
                });
            }
        }
    }

    // Duplicates inside the file.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for c in &candidates {
        let keys = [
            Some(("nik", format!("nik:{}", c.nik.as_str()))),
            c.phone.as_ref().map(|p| ("no_hp", format!("hp:{}", p.as_str()))),
            c.email.as_ref().map(|e| ("email", format!("email:{}", e.as_str()))),
        ];
        for (field, key) in keys.into_iter().flatten() {
            if let Some(first) = seen.get(&key) {
                errors.push(error(
                    c.line,
                    field,
                    format!("Sama dengan baris {first} di berkas ini"),
                    format!("Same as row {first} of this file"),
                ));
            } else {
                seen.insert(key, c.line);
            }
        }
    }

    // Duplicates against the database.
    for chunk in candidates.chunks(BATCH) {
        let niks: Vec<&str> = chunk.iter().map(|c| c.nik.as_str()).collect();
        let phones: Vec<&str> = chunk.iter().filter_map(|c| c.phone.as_ref().map(PhoneNumber::as_str)).collect();
        let emails: Vec<&str> = chunk.iter().filter_map(|c| c.email.as_ref().map(Email::as_str)).collect();
        let existing = person::Entity::find()
            .filter(
                person::Column::Nik
                    .is_in(niks)
                    .or(person::Column::Phone.is_in(phones))
                    .or(person::Column::Email.is_in(emails)),
            )
            .all(db)
            .await?;
        // Whether each person found is one the caller may see: only then may the report say
        // that they are registered. Elsewhere it says only that the value cannot be used (and
        // the attempt is logged): "already registered" for anyone in the country would tell a
        // kota panitia whether any NIK, phone or e-mail is in the national database.
        let mut visible = HashMap::new();
        for p in &existing {
            let inside = crate::services::people::participant_in_scope(db, scopes, p.id).await?.is_some();
            visible.insert(p.id, inside);
        }
        for c in chunk {
            for p in &existing {
                let inside = visible.get(&p.id).copied().unwrap_or(false);
                let clash = |field: &'static str, what: &str, what_en: &str| {
                    if inside {
                        error(
                            c.line,
                            field,
                            format!("{what} ini sudah terdaftar"),
                            format!("This {what_en} is already registered"),
                        )
                    } else {
                        error(
                            c.line,
                            field,
                            format!("{what} ini tidak dapat dipakai. Periksa kembali; bila benar, hubungi admin."),
                            format!("This {what_en} cannot be used. Check it again; if it is right, contact an admin."),
                        )
                    }
                };
                let mut clashes = Vec::new();
                if p.nik.as_deref() == Some(c.nik.as_str()) {
                    clashes.push(clash("nik", "NIK", "NIK"));
                }
                if c.phone.is_some() && p.phone.as_deref() == c.phone.as_ref().map(PhoneNumber::as_str) {
                    clashes.push(clash("no_hp", "Nomor HP", "phone number"));
                }
                if c.email.is_some() && p.email.as_deref() == c.email.as_ref().map(Email::as_str) {
                    clashes.push(clash("email", "Email", "email"));
                }
                if !inside && !clashes.is_empty() {
                    tracing::warn!(
                        target: "diklat::security",
                        account = caller.account_id,
                        line = c.line,
                        fields = ?clashes.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                        "import names a person registered outside the caller's region"
                    );
                    let detail = serde_json::json!({
                        "line": c.line,
                        "fields": clashes.iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
                    });
                    crate::services::audit::record(
                        db,
                        Some(caller.account_id),
                        "people.duplicate_elsewhere",
                        "person",
                        Some(p.id.to_string()),
                        Some(detail),
                    )
                    .await?;
                }
                errors.extend(clashes);
            }
        }
    }

    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Ok(ImportReport { rows: rows.len(), imported: 0, errors });
    }
    write(db, caller, &candidates).await?;
    Ok(ImportReport { rows: rows.len(), imported: candidates.len(), errors })
}

/// Inserts people, their accounts and peserta grants in batches, all in one transaction.
async fn write<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    caller: &Caller,
    candidates: &[Candidate],
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    for chunk in candidates.chunks(BATCH) {
        person::Entity::insert_many(chunk.iter().map(|c| person::ActiveModel {
            full_name: Set(c.name.clone()),
            nik: Set(Some(c.nik.as_str().to_string())),
            phone: Set(c.phone.as_ref().map(|p| p.as_str().to_string())),
            email: Set(c.email.as_ref().map(|e| e.as_str().to_string())),
            cooperative_id: Set(Some(c.cooperative_id)),
            position: Set(Some(c.position)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await
        .map_err(|e| {
            AppError::on_unique(
                e,
                "nik",
                "Data bentrok dengan peserta yang baru saja ditambahkan; unggah ulang",
                "The data clashes with a participant who was just added; upload again",
            )
        })?;
        let person_ids: Vec<i32> = person::Entity::find()
            .filter(person::Column::Nik.is_in(chunk.iter().map(|c| c.nik.as_str())))
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        account::Entity::insert_many(person_ids.iter().map(|id| account::ActiveModel {
            person_id: Set(*id),
            password_hash: Set(None),
            is_active: Set(true),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await?;
        let account_ids: Vec<i32> = account::Entity::find()
            .filter(account::Column::PersonId.is_in(person_ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        role_grant::Entity::insert_many(account_ids.into_iter().map(|id| role_grant::ActiveModel {
            account_id: Set(id),
            role: Set(types::Role::Peserta),
            granted_by: Set(Some(caller.account_id)),
            granted_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(
        &txn,
        Some(caller.account_id),
        "people.import",
        "people",
        None,
        Some(serde_json::json!({ "imported": candidates.len() })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_positions_are_matched_in_indonesian_or_english() {
        assert_eq!(column_of(" No HP "), Some(Column::Phone));
        assert_eq!(column_of("Phone Number"), Some(Column::Phone));
        assert_eq!(column_of("KELURAHAN"), Some(Column::Village));
        let parse_position = |typed: &str| Jabatan::parse(typed).map(Jabatan::code);
        assert_eq!(parse_position("Ketua Pengawas"), Some("ketua_pengawas"));
        assert_eq!(parse_position("treasurer"), Some("bendahara"));
        assert_eq!(parse_position("direktur"), None);
    }

    #[test]
    fn a_spreadsheet_phone_that_lost_its_leading_zero_is_read() {
        assert_eq!(parse_import_phone("81234560001").unwrap().as_str(), "+6281234560001");
    }
}
