//! Reading an uploaded participant file into a table of cells: CSV (any of the separators people
//! save with) or XLSX (its first sheet), with the size, row and column limits checked before the
//! cells are read.

use super::{error, RowError, MAX_BYTES, MAX_ROWS};

/// A table read from a file: (line number, cells).
pub type Table = Vec<(usize, Vec<String>)>;

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
}
