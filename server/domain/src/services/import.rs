//! Bulk import of participants from CSV or XLSX: every row is checked first, and only a file
//! without a single error is written, in one transaction.

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

pub use super::people::parse_position;

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

/// A table read from a file: (line number, cells).
type Table = Vec<(usize, Vec<String>)>;

/// Reads a CSV (UTF-8 with or without BOM, `,` or `;` or tab, CRLF or LF) or an XLSX file
/// (its first sheet), chosen by the file name.
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, RowError> {
    if bytes.len() > MAX_BYTES {
        return Err(error(
            0,
            "berkas",
            format!("Berkas terlalu besar (maksimal {} MB)", MAX_BYTES / 1024 / 1024),
            format!("The file is too large (at most {} MB)", MAX_BYTES / 1024 / 1024),
        ));
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") {
        read_csv(bytes)
    } else {
        Err(error(
            0,
            "berkas",
            "Jenis berkas tidak dikenal: unggah .csv atau .xlsx",
            "Unknown file type: upload a .csv or .xlsx file",
        ))
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
        error(
            line,
            "berkas",
            "Berkas bukan UTF-8. Di Excel pilih Simpan Sebagai › CSV UTF-8.",
            "The file is not UTF-8. In Excel choose Save As › CSV UTF-8.",
        )
    })?;
    let header = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t'].into_iter().max_by_key(|d| header.matches(*d as char).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut table = Vec::new();
    // csv's own line numbers are unreliable with CRLF and blank lines: count newlines up to the
    // first byte of each record instead.
    let bytes = text.as_bytes();
    // Records only move forward, so the count goes on from the last one (counting from the start
    // for each record was quadratic: a 256 kB file of short lines took seconds).
    let mut counted = (0, 1); // (byte, its line)
    let mut line_at = |mut byte: usize| {
        while byte < bytes.len() && matches!(bytes[byte], b'\r' | b'\n') {
            byte += 1;
        }
        let byte = byte.min(bytes.len());
        let (from, line) = if byte >= counted.0 { counted } else { (0, 1) };
        let line = line + bytes[from..byte].iter().filter(|b| **b == b'\n').count();
        counted = (byte, line);
        line
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = line_at(reader.position().byte() as usize);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => table.push((line, record.iter().map(|c| c.trim().to_string()).collect())),
            Err(e) => {
                return Err(error(
                    line,
                    "berkas",
                    format!("CSV tidak dapat dibaca: {e}"),
                    format!("The CSV cannot be read: {e}"),
                ))
            }
        }
        if table.len() > MAX_ROWS + 1 {
            return Err(error(
                line,
                "berkas",
                format!("Lebih dari {MAX_ROWS} baris: bagi menjadi beberapa berkas"),
                format!("More than {MAX_ROWS} rows: split it into several files"),
            ));
        }
    }
    Ok(table)
}

/// The most an XLSX may unpack to (a sheet of 20,000 participants is a few MB): a small file
/// that unpacks to gigabytes (a "zip bomb") is refused before the spreadsheet reader sees it.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// Unpacks every entry once, counting what it really inflates to (the sizes an archive declares
/// can lie), and stops at `MAX_UNPACKED_BYTES`.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), RowError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        error(
            0,
            "berkas",
            format!("Berkas XLSX tidak dapat dibuka: {e}"),
            format!("The XLSX file cannot be opened: {e}"),
        )
    })?;
    if archive.len() > 10_000 {
        return Err(error(0, "berkas", "Berkas XLSX berisi terlalu banyak bagian", "The XLSX file has too many parts"));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| {
            error(0, "berkas", format!("Berkas XLSX rusak: {e}"), format!("The XLSX file is damaged: {e}"))
        })?;
        let left = MAX_UNPACKED_BYTES - total;
        let read = std::io::copy(&mut std::io::Read::take(entry, left + 1), &mut std::io::sink()).map_err(|e| {
            error(0, "berkas", format!("Berkas XLSX rusak: {e}"), format!("The XLSX file is damaged: {e}"))
        })?;
        total += read;
        if total > MAX_UNPACKED_BYTES {
            return Err(error(
                0,
                "berkas",
                format!(
                    "Isi berkas XLSX terlalu besar setelah dibuka (lebih dari {} MB)",
                    MAX_UNPACKED_BYTES / 1024 / 1024
                ),
                format!(
                    "The contents of the XLSX file are too large once unpacked (more than {} MB)",
                    MAX_UNPACKED_BYTES / 1024 / 1024
                ),
            ));
        }
    }
    Ok(())
}

/// The widest first sheet read: a participants sheet has seven columns, this leaves room for
/// the extra ones people keep beside them.
pub const MAX_COLUMNS: u32 = 100;

/// calamine lays a sheet out as one dense grid from its first to its last filled cell, so two
/// cells far apart (A1 and XFD1048576, a file of a few kB) ask for hundreds of GB and abort the
/// process. This measures that grid from the cells themselves (the dimension a sheet declares
/// can lie) and refuses one of more than `MAX_ROWS` rows or `MAX_COLUMNS` columns before it is
/// built.
fn check_used_area<RS: std::io::Read + std::io::Seek>(book: &mut calamine::Xlsx<RS>) -> Result<(), RowError> {
    use calamine::{DataRef, Reader, XlsxError};
    let unreadable = |e: XlsxError| {
        error(
            0,
            "berkas",
            format!("Lembar pertama tidak dapat dibaca: {e}"),
            format!("The first sheet cannot be read: {e}"),
        )
    };
    let Some(name) = book.sheet_names().first().cloned() else { return Ok(()) };
    let mut cells = match book.worksheet_cells_reader(&name) {
        Ok(cells) => cells,
        // `worksheet_range_at` reads such a sheet as empty.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(()),
        Err(e) => return Err(unreadable(e)),
    };
    let (mut rows, mut cols) = ((u32::MAX, 0), (u32::MAX, 0));
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        rows = (Ord::min(rows.0, r), Ord::max(rows.1, r));
        cols = (Ord::min(cols.0, c), Ord::max(cols.1, c));
    }
    if rows.0 > rows.1 {
        return Ok(());
    }
    // More rows than the header and `MAX_ROWS` below it.
    if (rows.1 - rows.0) as usize > MAX_ROWS {
        return Err(error(
            rows.0 as usize + MAX_ROWS + 2,
            "berkas",
            format!("Lebih dari {MAX_ROWS} baris: bagi menjadi beberapa berkas"),
            format!("More than {MAX_ROWS} rows: split it into several files"),
        ));
    }
    if cols.1 - cols.0 >= MAX_COLUMNS {
        return Err(error(
            0,
            "berkas",
            format!("Lembar pertama lebih lebar dari {MAX_COLUMNS} kolom: hapus kolom yang tidak dipakai"),
            format!("The first sheet is wider than {MAX_COLUMNS} columns: delete the columns not in use"),
        ));
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, RowError> {
    use calamine::{Data, Reader, Xlsx};
    check_unpacked_size(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        error(
            0,
            "berkas",
            format!("Berkas XLSX tidak dapat dibuka: {e}"),
            format!("The XLSX file cannot be opened: {e}"),
        )
    })?;
    check_used_area(&mut book)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| error(0, "berkas", "Berkas XLSX tidak punya lembar kerja", "The XLSX file has no worksheet"))?
        .map_err(|e| {
            error(
                0,
                "berkas",
                format!("Lembar pertama tidak dapat dibaca: {e}"),
                format!("The first sheet cannot be read: {e}"),
            )
        })?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut table = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells = row
            .iter()
            .map(|c| match c {
                Data::String(s) => s.trim().to_string(),
                // Whole numbers (a NIK typed as a number) without a trailing ".0".
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(n) => n.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::Empty => String::new(),
                other => other.to_string(),
            })
            .collect();
        table.push((first_row + i + 1, cells));
        if table.len() > MAX_ROWS + 1 {
            return Err(error(
                first_row + i + 1,
                "berkas",
                format!("Lebih dari {MAX_ROWS} baris: bagi menjadi beberapa berkas"),
                format!("More than {MAX_ROWS} rows: split it into several files"),
            ));
        }
    }
    Ok(table)
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
    position: &'static str,
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
        let position = parse_position(&position_text);
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
            position: Set(Some(c.position.to_string())),
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
    fn a_semicolon_csv_with_bom_and_crlf_reads_with_line_numbers() {
        let bytes = b"\xEF\xBB\xBFnama;nik;no_hp\r\nSiti;3573;0812\r\n\r\n\"Budi; Jr\";3573;0813\r\n";
        let table = read_table(bytes, "peserta.CSV").unwrap();
        assert_eq!(table[0].1, ["nama", "nik", "no_hp"]);
        assert_eq!(table[1], (2, vec!["Siti".to_string(), "3573".into(), "0812".into()]));
        assert_eq!(table.last().unwrap(), &(4, vec!["Budi; Jr".to_string(), "3573".into(), "0813".into()]));
    }

    #[test]
    fn an_xlsx_that_unpacks_to_more_than_64_mb_is_refused_before_it_is_read() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", deflated).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..65 {
            zip.write_all(&zeros).unwrap();
        }
        let bomb = zip.finish().unwrap().into_inner();
        assert!(bomb.len() < MAX_BYTES, "small enough to upload: {} bytes", bomb.len());
        let e = read_table(&bomb, "peserta.xlsx").unwrap_err();
        assert_eq!(e.field, "berkas");
        assert!(e.message.contains("terlalu besar setelah dibuka"), "{}", e.message);
    }

    #[test]
    fn a_non_utf8_csv_is_refused_with_its_line() {
        let e = read_table(b"nama,nik\nJos\xe9,1\n", "a.csv").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("UTF-8"));
        assert_eq!(e.message_en, "The file is not UTF-8. In Excel choose Save As › CSV UTF-8.");
    }

    #[test]
    fn headers_and_positions_are_matched_in_indonesian_or_english() {
        assert_eq!(column_of(" No HP "), Some(Column::Phone));
        assert_eq!(column_of("Phone Number"), Some(Column::Phone));
        assert_eq!(column_of("KELURAHAN"), Some(Column::Village));
        assert_eq!(parse_position("Ketua Pengawas"), Some("ketua_pengawas"));
        assert_eq!(parse_position("treasurer"), Some("bendahara"));
        assert_eq!(parse_position("direktur"), None);
    }

    #[test]
    fn a_spreadsheet_phone_that_lost_its_leading_zero_is_read() {
        assert_eq!(parse_import_phone("81234560001").unwrap().as_str(), "+6281234560001");
    }
}
