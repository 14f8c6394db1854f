//! iCalendar (RFC 5545) feeds of sessions, in Asia/Jakarta time, that phones can subscribe to.

use crate::services::schedule::SessionRow;
use chrono::{DateTime, Utc};

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1), ending in CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// A calendar of `sessions`. `name` titles it; `host` makes the event UIDs globally unique.
pub fn calendar(name: &str, host: &str, sessions: &[SessionRow], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Diskopindag//Diklat KKMP//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    push_line(&mut out, "X-WR-TIMEZONE:Asia/Jakarta");
    // WIB has had no daylight saving since 1964: one STANDARD component describes it.
    for line in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Jakarta",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "TZNAME:WIB",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        push_line(&mut out, line);
    }
    for s in sessions {
        let date = s.session.session_date.format("%Y%m%d");
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:sesi-{}@{}", s.session.id, text(host)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(&mut out, &format!("DTSTART;TZID=Asia/Jakarta:{date}T{}", s.session.starts_at.format("%H%M%S")));
        push_line(&mut out, &format!("DTEND;TZID=Asia/Jakarta:{date}T{}", s.session.ends_at.format("%H%M%S")));
        push_line(&mut out, &format!("SUMMARY:{}", text(&s.session.title)));
        push_line(&mut out, &format!("LOCATION:{}", text(&format!("{}, {}", s.session.room, s.venue))));
        let mut description = vec![s.diklat_name.clone()];
        if let Some(m) = &s.module_title {
            description.push(format!("Modul: {m}"));
        }
        if let Some((name, institution)) = &s.speaker {
            description.push(format!("Narasumber: {name} ({institution})"));
        }
        description.push(format!("{} JP", s.session.jp));
        push_line(&mut out, &format!("DESCRIPTION:{}", text(&description.join("\n"))));
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_breaking_characters() {
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }
}
