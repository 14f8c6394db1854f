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

#[cfg(test)]
mod tests {
    use super::*;

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
