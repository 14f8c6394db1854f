//! Text for the two places the renderer writes without escaping.
//!
//! leptos_meta writes the `<title>` text as it is, and tachys treats `<textarea>` children like
//! `<script>` (not escaped). Both are RCDATA in HTML: the browser decodes character references
//! there but ends the element at `</title>` or `</textarea>`, so a name containing that text would
//! become markup. On the server these functions escape `&`, `<` and `>`; in the browser the text
//! is set through the DOM (`document.title`, a text node), where it is never parsed, so it stays
//! as it is.

/// `text` as the server must write it inside `<title>` or `<textarea>`.
pub fn rcdata(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape(&text)
    } else {
        text
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn the_end_tag_of_a_title_or_textarea_cannot_be_written_by_text() {
        assert_eq!(
            escape("</title><script>alert(1)</script> & </textarea>"),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/textarea&gt;"
        );
        assert_eq!(escape("Koperasi Merah Putih"), "Koperasi Merah Putih");
    }
}
