//! Spreadsheet-safe exports.

/// A CSV field that spreadsheets will not run as a formula: cells starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return get a leading apostrophe (OWASP's advice), then the field
/// is quoted when it needs to be.
pub fn csv_cell(value: &str) -> String {
    let guarded = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if guarded.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One CSV line (comma-separated, CRLF), every cell guarded.
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = cells.into_iter().map(csv_cell).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// A whole CSV file: a byte-order mark (so spreadsheet programs read UTF-8), the header line,
/// the rows; every cell guarded.
pub fn csv_document(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&csv_line(headers.iter().copied()));
    for row in rows {
        out.push_str(&csv_line(row.iter().map(String::as_str)));
    }
    out.into_bytes()
}

/// Whether an export cell is a quantity a spreadsheet should sum and sort as a number: a count,
/// a percentage, a score (`87.5`), a JP. Identifiers stay text: anything with a leading zero
/// (`007`), a sign or a space, and anything longer than six digits before the point (a NIK,
/// a phone number, a region code like `3573030001` — Excel would round or reformat them).
pub fn is_quantity(cell: &str) -> bool {
    let (whole, fraction) = cell.split_once('.').unwrap_or((cell, ""));
    !whole.is_empty()
        && whole.len() <= 6
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.len() <= 4
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && cell.contains('.') != fraction.is_empty()
}

/// A date (`2026-10-05`) or a moment (`2026-10-05 09:12`, WIB) as the exports write them, for
/// a date cell a spreadsheet sorts and filters by date; `true` when it has a time of day.
fn as_date(cell: &str) -> Option<(rust_xlsxwriter::ExcelDateTime, bool)> {
    use chrono::{Datelike, Timelike};
    let date = |d: chrono::NaiveDate| {
        rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok()
    };
    match cell.len() {
        10 => date(chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok()?).map(|d| (d, false)),
        16 => {
            let t = chrono::NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M").ok()?;
            date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, 0).ok().map(|d| (d, true))
        }
        _ => None,
    }
}

/// Writes one cell: a quantity as a number, a date as a date (shown dd-mm-yyyy, with hh:mm when
/// it has a time), everything else as text (never as a formula).
fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: &str,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if let Some((date, timed)) = as_date(cell) {
        let shown =
            rust_xlsxwriter::Format::new().set_num_format(if timed { "dd-mm-yyyy hh:mm" } else { "dd-mm-yyyy" });
        return ws.write_datetime_with_format(row, col, date, &shown).map(|_| ());
    }
    match cell.parse::<f64>() {
        Ok(n) if is_quantity(cell) => ws.write_number(row, col, n).map(|_| ()),
        _ => ws.write_string(row, col, cell).map(|_| ()),
    }
}

/// What a sheet says above its table, for whoever opens the file later: what it is, for which
/// region or diklat, and when it was exported (WIB).
#[derive(Clone, Debug)]
pub struct Heading {
    pub title: String,
    pub scope: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
}

/// Rows above the column headers: the title, the scope and the export time.
pub const HEADING_ROWS: u32 = 3;

impl Heading {
    /// Exported now.
    pub fn new(title: impl Into<String>, scope: impl Into<String>) -> Heading {
        Heading { title: title.into(), scope: scope.into(), exported_at: chrono::Utc::now() }
    }

    /// The scope of an export about diklat `d`: its region (kota/kabupaten, else provinsi) and name.
    pub async fn diklat_scope<C: sea_orm::ConnectionTrait>(
        db: &C,
        d: &crate::entities::diklat::Model,
    ) -> Result<String, crate::AppError> {
        use crate::entities::{province, regency};
        use sea_orm::EntityTrait;
        let region = match (d.regency_id, d.province_id) {
            (Some(id), _) => regency::Entity::find_by_id(id).one(db).await?.map(|r| r.name),
            (None, Some(id)) => province::Entity::find_by_id(id).one(db).await?.map(|p| p.name),
            (None, None) => None,
        };
        Ok(format!("Wilayah: {} · Diklat: {} ({})", region.as_deref().unwrap_or("Nasional"), d.name, d.code))
    }

    fn lines(&self) -> [String; 3] {
        let at = self.exported_at.with_timezone(&crate::services::clock::wib());
        [self.title.clone(), self.scope.clone(), format!("Diekspor {} WIB", at.format("%d-%m-%Y %H:%M"))]
    }

    fn write(&self, ws: &mut rust_xlsxwriter::Worksheet) -> Result<(), rust_xlsxwriter::XlsxError> {
        let title = rust_xlsxwriter::Format::new().set_bold().set_font_size(14);
        for (r, line) in self.lines().iter().enumerate() {
            if r == 0 {
                ws.write_string_with_format(0, 0, line, &title)?;
            } else {
                ws.write_string(r as u32, 0, line)?;
            }
        }
        Ok(())
    }
}

/// A one-sheet XLSX workbook: the [`Heading`], then a bold header row, frozen, with filters, and
/// columns sized to their content; quantities as numbers ([`is_quantity`]).
pub fn xlsx(
    sheet: &str,
    heading: &Heading,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, crate::AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| crate::AppError::Internal(format!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    heading.write(ws).map_err(fail)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADING_ROWS, c as u16, *h, &bold).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, HEADING_ROWS + r as u32 + 1, c as u16, cell).map_err(fail)?;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0)).map_err(fail)?;
    }
    ws.set_freeze_panes(HEADING_ROWS + 1, 0).map_err(fail)?;
    if !headers.is_empty() {
        ws.autofilter(HEADING_ROWS, 0, HEADING_ROWS + rows.len() as u32, headers.len() as u16 - 1).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// An XLSX workbook written row by row (rust_xlsxwriter's constant-memory mode: each sheet
/// goes to a temporary file as it is written), so an export of the whole country does not
/// hold its rows in memory. One sheet per name, each with the bold, frozen header row.
pub struct StreamedXlsx {
    book: rust_xlsxwriter::Workbook,
    next_row: Vec<u32>,
    columns: u16,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> crate::AppError {
    crate::AppError::Internal(format!("writing XLSX: {e}"))
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in `taken`.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let clean = if clean.trim().is_empty() { "Lembar".to_string() } else { clean.trim().to_string() };
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

impl StreamedXlsx {
    /// `widths` are the columns' widths in characters (set up front: rows are not kept).
    /// Each sheet's [`Heading`] is `heading` with the sheet's name added to its scope.
    pub fn new(
        sheets: &[String],
        heading: &Heading,
        headers: &[&str],
        widths: &[f64],
    ) -> Result<StreamedXlsx, crate::AppError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let mut taken = Vec::new();
        for name in sheets {
            let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            ws.set_name(sheet_name(name, &mut taken)).map_err(xlsx_error)?;
            for (c, w) in widths.iter().enumerate() {
                ws.set_column_width(c as u16, *w).map_err(xlsx_error)?;
            }
            Heading { scope: format!("{} · {name}", heading.scope), ..heading.clone() }
                .write(ws)
                .map_err(xlsx_error)?;
            for (c, h) in headers.iter().enumerate() {
                ws.write_string_with_format(HEADING_ROWS, c as u16, *h, &bold).map_err(xlsx_error)?;
            }
            ws.set_freeze_panes(HEADING_ROWS + 1, 0).map_err(xlsx_error)?;
        }
        Ok(StreamedXlsx { book, next_row: vec![HEADING_ROWS + 1; sheets.len()], columns: headers.len() as u16 })
    }

    /// Appends a row to sheet `sheet` (quantities as numbers, the rest as text; never formulas).
    pub fn push(&mut self, sheet: usize, cells: &[String]) -> Result<(), crate::AppError> {
        let row = self.next_row[sheet];
        let ws = self.book.worksheet_from_index(sheet).map_err(xlsx_error)?;
        for (c, cell) in cells.iter().enumerate() {
            write_cell(ws, row, c as u16, cell).map_err(xlsx_error)?;
        }
        self.next_row[sheet] = row + 1;
        Ok(())
    }

    /// Writes the workbook to `path`, each sheet's table with filters.
    pub fn finish(mut self, path: &std::path::Path) -> Result<(), crate::AppError> {
        for (sheet, last) in self.next_row.clone().into_iter().enumerate() {
            if self.columns > 0 {
                let ws = self.book.worksheet_from_index(sheet).map_err(xlsx_error)?;
                ws.autofilter(HEADING_ROWS, 0, last - 1, self.columns - 1).map_err(xlsx_error)?;
            }
        }
        self.book.save(path).map_err(xlsx_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_become_numbers_and_identifiers_stay_text() {
        use calamine::{Data, Reader, Xlsx};
        let row: Vec<String> = [
            "Budi",
            "12",
            "87.5",
            "0",
            "3573012345678901",
            "+6281234560001",
            "007",
            "3573030001",
            "=1+1",
            "1.",
            "12,5",
        ]
        .map(String::from)
        .to_vec();
        let heading = Heading::new("Hasil uji", "Wilayah: Kota Malang");
        let bytes = xlsx("Uji", &heading, &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"], &[row]).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Uji").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("Hasil uji".into())), "the title first");
        assert_eq!(range.get((1, 0)), Some(&Data::String("Wilayah: Kota Malang".into())), "then the region");
        let exported = range.get((2, 0)).unwrap().to_string();
        assert!(exported.starts_with("Diekspor ") && exported.ends_with(" WIB"), "{exported}");
        assert_eq!(range.get((HEADING_ROWS as usize, 0)), Some(&Data::String("a".into())), "then the headers");
        let cells: Vec<&Data> = range.rows().nth(HEADING_ROWS as usize + 1).unwrap().iter().collect();
        assert_eq!(cells[1], &Data::Float(12.0));
        assert_eq!(cells[2], &Data::Float(87.5));
        assert_eq!(cells[3], &Data::Float(0.0));
        for (i, text) in [(0, "Budi"), (4, "3573012345678901"), (5, "+6281234560001"), (6, "007"), (7, "3573030001")] {
            assert_eq!(cells[i], &Data::String(text.into()), "column {i} stays text");
        }
        assert_eq!(cells[8], &Data::String("=1+1".into()), "never a formula");
        assert_eq!(cells[9], &Data::String("1.".into()));
        assert_eq!(cells[10], &Data::String("12,5".into()));
    }

    #[test]
    fn dates_become_dates_and_date_like_text_stays_text() {
        use calamine::{Data, Reader, Xlsx};
        let row: Vec<String> =
            ["2026-10-05", "2026-10-05 09:12", "2026-13-05", "05-10-2026", "2026-10-05 9:12", "2026-10-05x"]
                .map(String::from)
                .to_vec();
        let bytes = xlsx("Uji", &Heading::new("t", "s"), &["a", "b", "c", "d", "e", "f"], &[row]).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Uji").unwrap();
        let cells: Vec<&Data> = range.rows().nth(HEADING_ROWS as usize + 1).unwrap().iter().collect();
        // Excel counts days from 1899-12-30; a time of day is the fraction of the day.
        let serial = (chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()
            - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
        .num_days() as f64;
        let Data::DateTime(day) = cells[0] else { panic!("a date is a date cell: {:?}", cells[0]) };
        assert!(day.is_datetime());
        assert_eq!(day.as_f64(), serial);
        let Data::DateTime(moment) = cells[1] else { panic!("a moment is a date cell: {:?}", cells[1]) };
        assert!((moment.as_f64() - (serial + (9.0 * 60.0 + 12.0) / 1440.0)).abs() < 1e-9);
        for (i, text) in [(2, "2026-13-05"), (3, "05-10-2026"), (4, "2026-10-05 9:12"), (5, "2026-10-05x")] {
            assert_eq!(cells[i], &Data::String(text.into()), "column {i} stays text");
        }
    }

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_cell("+62812"), "'+62812");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("Siti, S.E."), "\"Siti, S.E.\"");
        assert_eq!(csv_cell("Budi"), "Budi");
        assert_eq!(csv_line(["a", "=b"]), "a,'=b\r\n");
    }
}
