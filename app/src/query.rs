//! The query string, decoded once.
//!
//! leptos_router 0.8's `use_query_map` decodes every value twice (`query_pairs()` or the
//! browser's `URLSearchParams` decode it, then `ParamsMap::insert` unescapes it again), so a
//! search for a literal `%3C` came back as `<`. Pages read their query through [`use_query_map`]
//! here instead: the raw `location.search`, split and decoded once, the same on the server and in
//! the browser.

use leptos::prelude::*;

/// A page's query parameters: `name → value`, first value wins, decoded once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string (`a=1&b=x+y`, with or without the leading `?`) the way an HTML
    /// form encodes it: `+` is a space, `%XX` a byte; invalid escapes and bytes are kept as text.
    pub fn parse(search: &str) -> Query {
        let pairs = search
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Query(pairs)
    }

    /// The first value given for `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The current page's query, decoded once (see the module documentation).
pub fn use_query_map() -> Memo<Query> {
    let search = leptos_router::hooks::use_location().search;
    Memo::new(move |_| search.with(|s| Query::parse(s)))
}

#[cfg(test)]
mod tests {
    use super::Query;

    #[test]
    fn values_are_decoded_once_as_a_form_encodes_them() {
        let q = Query::parse(
            "?q=%253Cb%253E+%26+100%25&kode=AB-12&kosong=&q=kedua&rusak=%G1%&utf=Kedungkandang%20%E2%80%A6",
        );
        assert_eq!(q.get("q").as_deref(), Some("%3Cb%3E & 100%"), "a literal %3C stays %3C");
        assert_eq!(q.get("kode").as_deref(), Some("AB-12"));
        assert_eq!(q.get("kosong").as_deref(), Some(""));
        assert_eq!(q.get("rusak").as_deref(), Some("%G1%"), "invalid escapes stay text");
        assert_eq!(q.get("utf").as_deref(), Some("Kedungkandang …"));
        assert_eq!(q.get("tidak-ada"), None);
        assert_eq!(Query::parse("").get("q"), None);
    }
}
