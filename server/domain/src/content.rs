//! The Diklat modules: Markdown files with TOML front matter under `<content>/modul/NN-slug/index.md`.
//!
//! Loaded and validated once at start-up. Every problem is reported as `file:line: message`,
//! all of them at once, so an author can fix a whole batch in one go.

use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Pengurus,
    Pengawas,
    Keduanya,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub title: String,
    pub year: u16,
}

/// The front matter every module must carry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub order: u32,
    pub jp: u32,
    pub audience: Audience,
    pub objectives: Vec<String>,
    pub version: String,
    pub last_reviewed: toml::value::Datetime,
    /// When the module must be reviewed again; `content check` warns once it has passed.
    #[serde(default)]
    pub review_by: Option<toml::value::Datetime>,
    #[serde(default)]
    pub legal_basis: Vec<LegalBasis>,
    /// What changed in each version, newest first.
    #[serde(default)]
    pub changelog: Vec<ChangelogEntry>,
}

/// One version in a module's change log.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogEntry {
    pub version: String,
    pub date: toml::value::Datetime,
    pub changes: String,
}

/// One `##` section: the unit of reading progress.
#[derive(Clone, Debug)]
pub struct Section {
    pub anchor: String,
    pub title: String,
    pub line: usize,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub path: PathBuf,
    pub meta: FrontMatter,
    /// The Markdown after the front matter.
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
    pub sections: Vec<Section>,
    /// SHA-256 of the whole file, hex: changes whenever the text does.
    pub hash: String,
    /// The sanitised HTML, rendered once at load.
    pub rendered: crate::render::Rendered,
    /// Links to other modules (`/modul/{slug}`) with their lines, checked once all are loaded.
    module_links: Vec<(usize, String)>,
    /// The question bank beside it (`soal.toml`), when there is one.
    pub bank: Option<crate::quiz::Bank>,
}

impl Module {
    /// `bank`'s problems against this module's objectives and sections (see [`crate::bank_check`]);
    /// without `tags`, only what the bank measures (an upload of untagged questions joins).
    pub fn check_bank(&self, bank: &crate::quiz::Bank, tags: bool) -> Vec<ContentError> {
        let anchors: std::collections::HashSet<String> = self.sections.iter().map(|s| s.anchor.clone()).collect();
        let count = |s: &Option<crate::quiz::QuizSettings>| {
            s.as_ref().and_then(|s| s.jumlah_soal).unwrap_or(10).max(1) as usize
        };
        let ctx = crate::bank_check::Context {
            objectives: self.meta.objectives.len(),
            anchors: &anchors,
            pre_count: count(&bank.pre),
            post_count: count(&bank.post),
        };
        if tags {
            crate::bank_check::check(&bank.path, bank, &ctx)
        } else {
            crate::bank_check::check_measurement(&bank.path, bank, &ctx)
        }
    }
}

#[derive(Debug, Default)]
pub struct Content {
    /// Sorted by `order`.
    pub modules: Vec<Module>,
    /// The evaluation questionnaires (`evaluasi/*.toml`), sorted by id.
    pub forms: Vec<crate::evaluation::Form>,
}

pub use crate::content_error::{ContentError, ContentErrors};

impl Content {
    pub fn module(&self, slug: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.meta.slug == slug)
    }

    /// What `content check` warns of without failing: modules past their `review_by` date (or
    /// without one), as `file:line: …`.
    pub fn warnings(&self, today: chrono::NaiveDate) -> Vec<String> {
        let mut out = Vec::new();
        for m in &self.modules {
            let due =
                m.meta.review_by.as_ref().and_then(|d| d.date).and_then(|d| {
                    chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                });
            match due {
                None => out.push(format!(
                    "{}:1: no `review_by` date: when must this module be reviewed again?",
                    m.path.display()
                )),
                Some(due) if due < today => out.push(format!(
                    "{}:1: `review_by = {due}` has passed: review the module against its sources, then bump `version`",
                    m.path.display()
                )),
                Some(_) => {}
            }
        }
        out
    }

    /// Loads every `modul/*/index.md` under `dir`.
    pub fn load(dir: &Path) -> Result<Content, ContentErrors> {
        let err = |file: &Path, line, message: String| ContentError { file: file.to_path_buf(), line, message };
        let modul_dir = dir.join("modul");
        let entries = std::fs::read_dir(&modul_dir)
            .map_err(|e| ContentErrors(vec![err(&modul_dir, 0, format!("cannot read the modules folder ({e})"))]))?;
        let mut folders: Vec<PathBuf> =
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        folders.sort();

        let mut modules = Vec::new();
        let mut errors = Vec::new();
        for folder in folders {
            let file = folder.join("index.md");
            match std::fs::read_to_string(&file) {
                Ok(text) => match parse_module(&file, &text) {
                    Ok(mut m) => {
                        let bank_file = folder.join(crate::quiz::FILE_NAME);
                        match std::fs::read_to_string(&bank_file) {
                            Ok(text) => match crate::quiz::parse_bank(&bank_file, &text) {
                                Ok(bank) => {
                                    errors.append(&mut m.check_bank(&bank, true));
                                    m.bank = Some(bank);
                                }
                                Err(mut e) => errors.append(&mut e),
                            },
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => errors.push(err(&bank_file, 0, format!("cannot read the question bank ({e})"))),
                        }
                        modules.push(m)
                    }
                    Err(mut e) => errors.append(&mut e),
                },
                Err(e) => errors.push(err(&file, 0, format!("cannot read the module file ({e})"))),
            }
        }

        let mut seen_slug: HashMap<String, PathBuf> = HashMap::new();
        let mut seen_order: HashMap<u32, PathBuf> = HashMap::new();
        for m in &modules {
            if let Some(other) = seen_slug.insert(m.meta.slug.clone(), m.path.clone()) {
                errors.push(err(&m.path, 2, format!("slug `{}` is also used by {}", m.meta.slug, other.display())));
            }
            if let Some(other) = seen_order.insert(m.meta.order, m.path.clone()) {
                errors.push(err(&m.path, 2, format!("order {} is also used by {}", m.meta.order, other.display())));
            }
        }
        let slugs: std::collections::HashSet<&str> = modules.iter().map(|m| m.meta.slug.as_str()).collect();
        for m in &modules {
            for (line, target) in &m.module_links {
                if !slugs.contains(target.as_str()) {
                    errors.push(err(&m.path, *line, format!("link to module `{target}`, which does not exist")));
                }
            }
        }
        let forms = crate::evaluation::load(dir).unwrap_or_else(|mut e| {
            errors.append(&mut e);
            Vec::new()
        });
        if errors.is_empty() {
            modules.sort_by_key(|m| m.meta.order);
            Ok(Content { modules, forms })
        } else {
            errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            Err(ContentErrors(errors))
        }
    }
}

/// Splits the `+++` front matter from the body, checks both.
fn parse_module(file: &Path, text: &str) -> Result<Module, Vec<ContentError>> {
    let err = |line, message: String| ContentError { file: file.to_path_buf(), line, message };
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("+++") {
        return Err(vec![err(1, "the file must start with TOML front matter between `+++` lines".into())]);
    }
    // After the opening line, whatever whitespace follows its `+++`: not always 4 bytes (`+++\r`,
    // or a multi-byte space such as U+0085, which `trim_end` also takes).
    let mut offset = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let front_start = offset;
    let mut front_end = None;
    for (line_no, l) in (2..).zip(lines) {
        if l.trim_end() == "+++" {
            front_end = Some((offset, offset + l.len(), line_no));
            break;
        }
        offset += l.len();
    }
    let Some((front_end, body_start, closing_line)) = front_end else {
        return Err(vec![err(1, "the front matter is not closed with a `+++` line".into())]);
    };
    let front = &text[front_start.min(front_end)..front_end];
    let meta: FrontMatter = toml::from_str(front).map_err(|e| {
        let line = e.span().map(|s| 2 + front[..s.start.min(front.len())].matches('\n').count()).unwrap_or(1);
        vec![err(line, format!("front matter: {}", e.message()))]
    })?;

    let mut errors = Vec::new();
    let field_line =
        |key: &str| front.lines().position(|l| l.trim_start().starts_with(key)).map(|i| i + 2).unwrap_or(1);
    let folder = file.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
    let folder_slug =
        folder.split_once('-').filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit())).map(|(_, s)| s).unwrap_or(folder);
    if meta.slug != slug::slugify(&meta.slug) {
        errors.push(err(field_line("slug"), format!("slug `{}` must be lowercase words joined by hyphens", meta.slug)));
    } else if meta.slug != folder_slug {
        errors.push(err(field_line("slug"), format!("slug `{}` does not match the folder name `{folder}`", meta.slug)));
    }
    for (key, value) in [("title", &meta.title), ("summary", &meta.summary), ("version", &meta.version)] {
        if value.trim().is_empty() {
            errors.push(err(field_line(key), format!("`{key}` is empty")));
        }
    }
    if meta.jp == 0 {
        errors.push(err(field_line("jp"), "`jp` must be at least 1".into()));
    }
    if meta.objectives.is_empty() || meta.objectives.iter().any(|o| o.trim().is_empty()) {
        errors.push(err(field_line("objectives"), "`objectives` needs at least one non-empty item".into()));
    }
    if meta.last_reviewed.date.is_none() || meta.last_reviewed.time.is_some() {
        errors.push(err(field_line("last_reviewed"), "`last_reviewed` must be a date such as 2025-10-01".into()));
    }
    if meta.legal_basis.iter().any(|l| l.title.trim().is_empty() || !(1945..=2100).contains(&l.year)) {
        errors.push(err(field_line("[[legal_basis]]"), "each `legal_basis` needs a title and a year".into()));
    }

    let body = &text[body_start..];
    let body_line = closing_line + 1;
    let sections = check_sections(body, body_line, &mut |line, message| errors.push(err(line, message)));
    if sections.is_empty() {
        errors.push(err(body_line, "the module has no `##` sections".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    let dir = file.parent().unwrap_or(Path::new("."));
    let (rendered, problems, module_links) = crate::render::render(body, body_line, dir, &meta.slug);
    if !problems.is_empty() {
        return Err(problems.into_iter().map(|(line, message)| err(line, message)).collect());
    }
    Ok(Module {
        path: file.to_path_buf(),
        meta,
        body: body.to_string(),
        body_line,
        sections,
        hash,
        rendered,
        module_links,
        bank: None,
    })
}

/// Collects `##` sections with stable anchors; reports headings with nothing under them.
fn check_sections(body: &str, first_line: usize, report: &mut dyn FnMut(usize, String)) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut anchors: HashMap<String, usize> = HashMap::new();
    // (level, title, line, has_content)
    let mut open: Option<(usize, String, usize, bool)> = None;
    let mut in_fence = false;
    let close = |open: &mut Option<(usize, String, usize, bool)>, report: &mut dyn FnMut(usize, String)| {
        if let Some((_, title, line, false)) = open.take() {
            report(line, format!("section `{title}` is empty"));
        }
    };
    for (i, line) in body.lines().enumerate() {
        let line_no = first_line + i;
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        let level = if in_fence { 0 } else { trimmed.chars().take_while(|c| *c == '#').count() };
        if (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
            let title = trimmed[level..].trim().trim_end_matches('#').trim().to_string();
            match open.as_mut() {
                // A sub-heading is content of the section above it.
                Some(o) if o.0 < level => o.3 = true,
                _ => close(&mut open, report),
            }
            if level == 2 {
                let base = slug::slugify(&title);
                let n = anchors.entry(base.clone()).or_insert(0);
                *n += 1;
                let anchor = if *n == 1 { base } else { format!("{base}-{n}") };
                sections.push(Section { anchor, title: title.clone(), line: line_no });
            }
            open = Some((level, title, line_no, false));
        } else if !line.trim().is_empty() {
            if let Some(o) = open.as_mut() {
                o.3 = true;
            }
        }
    }
    close(&mut open, report);
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nslug = \"contoh\"\ntitle = \"Contoh\"\nsummary = \"S\"\norder = 1\njp = 2\naudience = \"keduanya\"\nobjectives = [\"O\"]\nversion = \"1.0\"\nlast_reviewed = 2025-10-01\n+++\n## Pendahuluan\n\nTeks.\n\n## Ringkasan\n\nTeks.\n";

    fn parse(text: &str) -> Result<Module, Vec<ContentError>> {
        parse_module(Path::new("content/modul/01-contoh/index.md"), text)
    }

    #[test]
    fn a_valid_module_yields_its_sections_with_anchors() {
        let m = parse(GOOD).unwrap();
        let anchors: Vec<_> = m.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["pendahuluan", "ringkasan"]);
        assert_eq!(m.sections[0].line, 12);
    }

    #[test]
    fn a_wrongly_typed_field_is_reported_with_its_line() {
        let e = parse(&GOOD.replace("jp = 2", "jp = \"dua\"")).unwrap_err();
        assert_eq!(e[0].line, 6, "{e:?}");
        assert!(e[0].message.contains("front matter"), "{e:?}");
    }

    #[test]
    fn an_empty_section_is_reported_with_its_line() {
        let e = parse(&GOOD.replace("## Ringkasan\n\nTeks.\n", "## Ringkasan\n\n")).unwrap_err();
        assert_eq!((e[0].line, e[0].message.as_str()), (16, "section `Ringkasan` is empty"));
    }

    #[test]
    fn a_slug_that_does_not_match_its_folder_is_refused() {
        let e = parse(&GOOD.replace("slug = \"contoh\"", "slug = \"lain\"")).unwrap_err();
        assert_eq!(e[0].line, 2);
    }
}
