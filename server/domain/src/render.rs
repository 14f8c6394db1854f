//! Markdown → safe HTML for the modules, done once at load time.
//!
//! Each `##` section is rendered separately (the unit of reading progress); footnote texts are
//! gathered into one block after the sections. Callouts are blockquotes that start with
//! `[!CATATAN]`, `[!CONTOH]` or `[!PERHATIAN]`. Images beside the module are served from
//! `/modul/{slug}/{file}`. Everything passes through an allow-list sanitiser (ammonia): no
//! script, no event handler, no `javascript:` or `data:` URL survives, whatever the author wrote.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::{collections::HashSet, path::Path, sync::OnceLock};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedSection {
    pub anchor: String,
    pub title: String,
    pub html: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Anything before the first `##` heading.
    pub intro_html: String,
    pub sections: Vec<RenderedSection>,
    pub footnotes_html: String,
    /// Plain-text word count, for reading time.
    pub words: usize,
}

/// A problem found while rendering: (line in the file, message).
pub type RenderProblem = (usize, String);

const CALLOUTS: &[(&str, &str, &str)] = &[
    ("[!CATATAN]", "catatan", "Catatan"),
    ("[!CONTOH]", "contoh", "Contoh"),
    ("[!PERHATIAN]", "perhatian", "Perhatian"),
];

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["aside", "input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("h2", ["id"])
            .add_tag_attributes("h3", ["id"])
            .add_tag_attributes("h4", ["id"])
            .add_tag_attributes("div", ["id"])
            .add_tag_attributes("aside", ["role"])
            .add_allowed_classes("aside", ["callout", "callout-catatan", "callout-contoh", "callout-perhatian"])
            .add_allowed_classes("p", ["callout-title"])
            .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
            .add_allowed_classes("div", ["footnote-definition"])
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer"));
        b
    })
}

/// Sanitises HTML written by authors or users (module text, question text) with the same rules.
pub fn sanitize(html: &str) -> String {
    let cleaned = sanitizer().clean(html).to_string();
    // ammonia keeps `<input>` with any `type`; only read-only task-list boxes may stay.
    if cleaned.contains("<input") {
        cleaned
            .split("<input")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_string()
                } else {
                    // Attribute values have `>` escaped, so the tag ends at the first `>`; what
                    // follows is text, which may itself read `type="checkbox"` or ` disabled=""`.
                    let (tag, rest) = part.split_once('>').unwrap_or((part, ""));
                    if tag.contains("type=\"checkbox\"") {
                        format!("<input disabled=\"\"{}>{rest}", tag.replacen(" disabled=\"\"", "", 1))
                    } else {
                        rest.to_string()
                    }
                }
            })
            .collect()
    } else {
        cleaned
    }
}

/// A heading's anchor: lowercase words joined by hyphens, numbered when repeated.
pub fn anchor_for(title: &str, seen: &mut std::collections::HashMap<String, usize>) -> String {
    let base = slug::slugify(title);
    let base = if base.is_empty() { "bagian".to_string() } else { base };
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{n}")
    }
}

/// The line of a byte offset, from the offsets of the text's newlines (counting them from the
/// start for every event was quadratic in the length of the module).
fn line_of(newlines: &[usize], offset: usize, first_line: usize) -> usize {
    first_line + newlines.partition_point(|&n| n < offset)
}

/// Renders a module body. `dir` is the module's folder (images and files beside it), `slug`
/// its URL name, `first_line` the body's first line in the file (for error lines).
/// Returns the rendering and the problems found: images without alt text or file, links to
/// anchors or files that do not exist. Links to other modules are returned for the caller to
/// check against all slugs.
pub fn render(
    body: &str,
    first_line: usize,
    dir: &Path,
    slug: &str,
) -> (Rendered, Vec<RenderProblem>, Vec<(usize, String)>) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(body, options).into_offset_iter().collect();
    // Merge adjacent text so a callout marker arrives in one piece.
    let mut merged: Vec<(Event, usize)> = Vec::with_capacity(events.len());
    for (event, range) in events {
        match (merged.last_mut(), &event) {
            (Some((Event::Text(prev), _)), Event::Text(next)) => {
                *prev = CowStr::from(format!("{prev}{next}"));
            }
            _ => merged.push((event, range.start)),
        }
    }

    let newlines: Vec<usize> = body.match_indices('\n').map(|(i, _)| i).collect();
    let mut problems = Vec::new();
    let mut module_links = Vec::new();
    let mut anchors_seen = std::collections::HashMap::new();
    let mut anchor_refs: Vec<(usize, String)> = Vec::new();
    let mut anchors: HashSet<String> = HashSet::new();
    let mut words = 0usize;

    // Buckets: intro, then one per section, and the footnotes.
    let mut intro: Vec<Event> = Vec::new();
    let mut sections: Vec<(String, String, Vec<Event>)> = Vec::new();
    let mut footnotes: Vec<Event> = Vec::new();
    let mut in_footnote = 0usize;
    let mut callout_stack: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < merged.len() {
        let (event, offset) = merged[i].clone();
        let line = line_of(&newlines, offset, first_line);
        // Headings: give them stable ids; `##` opens a new section.
        if let Event::Start(Tag::Heading { level, .. }) = &event {
            let level = *level;
            let mut title = String::new();
            let mut j = i + 1;
            while j < merged.len() && !matches!(merged[j].0, Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &merged[j].0 {
                    title.push_str(t);
                }
                j += 1;
            }
            let anchor = anchor_for(&title, &mut anchors_seen);
            anchors.insert(anchor.clone());
            let tag = match level {
                HeadingLevel::H1 | HeadingLevel::H2 => "h2",
                HeadingLevel::H3 => "h3",
                _ => "h4",
            };
            let inner: Vec<Event> = merged[i + 1..j].iter().map(|(e, _)| e.clone()).collect();
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, inner.into_iter());
            let heading = Event::Html(CowStr::from(format!("<{tag} id=\"{anchor}\">{html}</{tag}>\n")));
            if level <= HeadingLevel::H2 && in_footnote == 0 {
                sections.push((anchor, title, vec![heading]));
            } else {
                current(&mut intro, &mut sections, &mut footnotes, in_footnote).push(heading);
            }
            i = j + 1;
            continue;
        }
        match &event {
            Event::Start(Tag::FootnoteDefinition(_)) => in_footnote += 1,
            Event::End(TagEnd::FootnoteDefinition) => {
                footnotes.push(event.clone());
                in_footnote -= 1;
                i += 1;
                continue;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                // A callout: a blockquote whose first paragraph starts with a marker.
                let marker = match (merged.get(i + 1), merged.get(i + 2)) {
                    (Some((Event::Start(Tag::Paragraph), _)), Some((Event::Text(t), _))) => {
                        CALLOUTS.iter().find(|(m, _, _)| t.trim_start().starts_with(m)).map(|c| (c, t.clone()))
                    }
                    _ => None,
                };
                if let Some(((m, class, label), text)) = marker {
                    let bucket = current(&mut intro, &mut sections, &mut footnotes, in_footnote);
                    bucket.push(Event::Html(CowStr::from(format!(
                        "<aside class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n"
                    ))));
                    bucket.push(Event::Start(Tag::Paragraph));
                    let rest = text.trim_start()[m.len()..].trim_start().to_string();
                    if !rest.is_empty() {
                        bucket.push(Event::Text(CowStr::from(rest)));
                    }
                    callout_stack.push(true);
                    i += 3;
                    continue;
                }
                callout_stack.push(false);
            }
            // Every blockquote end pops its entry; a callout's closes the aside instead.
            Event::End(TagEnd::BlockQuote(_)) if callout_stack.pop() == Some(true) => {
                current(&mut intro, &mut sections, &mut footnotes, in_footnote)
                    .push(Event::Html(CowStr::from("</aside>\n")));
                i += 1;
                continue;
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.to_string();
                let mut alt = String::new();
                let mut j = i + 1;
                while j < merged.len() && !matches!(merged[j].0, Event::End(TagEnd::Image)) {
                    if let Event::Text(t) = &merged[j].0 {
                        alt.push_str(t);
                    }
                    j += 1;
                }
                if alt.trim().is_empty() {
                    problems.push((line, format!("image `{url}` has no alt text")));
                }
                let local = !url.contains(':') && !url.starts_with('/') && !url.starts_with('#');
                if local {
                    let file = url.split(['?', '#']).next().unwrap_or("");
                    if file.contains("..") || file.contains('\\') || !dir.join(file).is_file() {
                        problems.push((line, format!("image `{url}` not found beside the module")));
                    }
                    let src = format!("/modul/{slug}/{}", file.trim_start_matches("./"));
                    current(&mut intro, &mut sections, &mut footnotes, in_footnote).push(Event::Html(CowStr::from(
                        format!(
                            "<img src=\"{}\" alt=\"{}\" loading=\"lazy\">",
                            html_escape(&src),
                            html_escape(alt.trim())
                        ),
                    )));
                    i = j + 1;
                    continue;
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.to_string();
                if let Some(anchor) = url.strip_prefix('#') {
                    anchor_refs.push((line, anchor.to_string()));
                } else if let Some(target) = url.strip_prefix("/modul/") {
                    module_links.push((line, target.split(['#', '/', '?']).next().unwrap_or("").to_string()));
                } else if !url.contains(':') && !url.starts_with('/') {
                    let file = url.split(['?', '#']).next().unwrap_or("");
                    if file.contains("..") || !dir.join(file).is_file() {
                        problems.push((line, format!("link `{url}` points to no file beside the module")));
                    }
                }
            }
            Event::Text(t) => words += t.split_whitespace().count(),
            _ => {}
        }
        current(&mut intro, &mut sections, &mut footnotes, in_footnote).push(event);
        i += 1;
    }
    for (line, anchor) in anchor_refs {
        // Footnote anchors are generated by the renderer, not by headings.
        if !anchors.contains(&anchor) {
            problems.push((line, format!("link to `#{anchor}`, but no heading has that anchor")));
        }
    }
    let to_html = |events: Vec<Event>| {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        sanitize(&html)
    };
    let rendered = Rendered {
        intro_html: to_html(intro),
        sections: sections
            .into_iter()
            .map(|(anchor, title, events)| RenderedSection { anchor, title, html: to_html(events) })
            .collect(),
        footnotes_html: to_html(footnotes),
        words,
    };
    (rendered, problems, module_links)
}

/// Where the next event goes: the open footnote, else the last section, else the intro.
fn current<'a, 'e>(
    intro: &'a mut Vec<Event<'e>>,
    sections: &'a mut [(String, String, Vec<Event<'e>>)],
    footnotes: &'a mut Vec<Event<'e>>,
    in_footnote: usize,
) -> &'a mut Vec<Event<'e>> {
    if in_footnote > 0 {
        return footnotes;
    }
    match sections.last_mut() {
        Some((_, _, events)) => events,
        None => intro,
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(md: &str) -> (Rendered, Vec<RenderProblem>) {
        let dir = std::env::temp_dir();
        let (r, p, _) = render(md, 1, &dir, "contoh");
        (r, p)
    }

    #[test]
    fn sections_get_anchors_and_callouts_become_asides() {
        let (r, p) =
            one("Pengantar.\n\n## Satu Dua\n\n> [!CATATAN]\n> Penting sekali.\n\n## Satu Dua\n\n- [x] selesai\n");
        assert!(p.is_empty(), "{p:?}");
        assert!(r.intro_html.contains("Pengantar"));
        assert_eq!(r.sections.iter().map(|s| s.anchor.as_str()).collect::<Vec<_>>(), ["satu-dua", "satu-dua-2"]);
        assert!(r.sections[0].html.contains(r#"<h2 id="satu-dua">"#), "{}", r.sections[0].html);
        assert!(
            r.sections[0]
                .html
                .contains(r#"<aside class="callout callout-catatan" role="note"><p class="callout-title">Catatan</p>"#),
            "{}",
            r.sections[0].html
        );
        assert!(r.sections[0].html.contains("Penting sekali."));
        assert!(
            r.sections[1].html.contains(r#"type="checkbox""#) && r.sections[1].html.contains("disabled"),
            "{}",
            r.sections[1].html
        );
    }

    #[test]
    fn footnotes_are_gathered_after_the_sections() {
        let (r, _) = one("## A\n\nTeks[^1].\n\n## B\n\nLagi.\n\n[^1]: UU No. 25 Tahun 1992.\n");
        assert!(r.sections[0].html.contains("footnote-reference"));
        assert!(!r.sections[1].html.contains("UU No. 25"));
        assert!(r.footnotes_html.contains("UU No. 25 Tahun 1992."), "{}", r.footnotes_html);
    }

    #[test]
    fn broken_anchors_missing_images_and_images_without_alt_are_reported_with_lines() {
        let (_, p) = one("## A\n\n[lihat](#tidak-ada)\n\n![](gambar.png)\n");
        let lines: Vec<usize> = p.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [5, 5, 3], "{p:?}");
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_do_not_survive() {
        let md = "## A\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[klik](javascript:alert(1))\n\n[data](data:text/html;base64,PHNjcmlwdD4=)\n\n<a href=\"JaVaScRiPt:alert(1)\">x</a>\n\n<svg onload=alert(1)></svg>\n\n<input type=\"text\" autofocus onfocus=\"alert(1)\">\n";
        let (r, _) = one(md);
        let html = r.sections[0].html.to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "data:text", "onload", "<svg", "onfocus", "type=\"text\""] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }
}
