//! Evaluation questionnaires (`content/evaluasi/*.toml`): the participants' reaction to how a
//! diklat was organised and to each narasumber (Kirkpatrick level 1). Read and checked like the
//! question banks, with `FILE:LINE` errors; the answers live in the database, apart from who gave
//! them (see `services::evaluation`).

use crate::content_error::ContentError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where a form is filled in: once per diklat, or once per session attended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Scope {
    #[serde(rename = "diklat")]
    Diklat,
    #[serde(rename = "sesi")]
    Session,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Kind {
    /// A rating on the form's scale.
    #[default]
    #[serde(rename = "scale")]
    Scale,
    /// An open answer (optional to fill in), shown to panitia without names.
    #[serde(rename = "text")]
    Text,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: u8,
    pub max: u8,
    pub labels: Vec<String>,
    pub labels_en: Vec<String>,
}

impl Scale {
    /// The points of the scale, lowest first.
    pub fn points(&self) -> std::ops::RangeInclusive<u8> {
        self.min..=self.max
    }

    /// The label of `point` in Bahasa Indonesia and English.
    pub fn label(&self, point: u8) -> (&str, &str) {
        let i = usize::from(point.saturating_sub(self.min));
        (self.labels.get(i).map(String::as_str).unwrap_or(""), self.labels_en.get(i).map(String::as_str).unwrap_or(""))
    }

    /// A 1–4 scale: the one the community satisfaction index (IKM) is defined on.
    pub fn is_ikm(&self) -> bool {
        self.min == 1 && self.max == 4
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(default)]
    pub kind: Kind,
    pub text: String,
    pub text_en: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub id: String,
    /// Raised when a question changes meaning: answers to different versions are never pooled.
    pub version: u32,
    pub title: String,
    pub title_en: String,
    pub scope: Scope,
    pub scale: Scale,
    pub questions: Vec<Question>,
    #[serde(skip)]
    pub path: PathBuf,
}

impl Form {
    pub fn rated(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(|q| q.kind == Kind::Scale)
    }

    pub fn open(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter().filter(|q| q.kind == Kind::Text)
    }
}

/// The longest open answer kept, in characters.
pub const MAX_TEXT: usize = 2000;

/// Reads and checks one questionnaire file.
pub fn parse_form(file: &Path, text: &str) -> Result<Form, Vec<ContentError>> {
    let err = |line, message: String| ContentError { file: file.to_path_buf(), line, message };
    let mut form: Form = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()).unwrap_or(1);
        vec![err(line, format!("questionnaire: {}", e.message()))]
    })?;
    form.path = file.to_path_buf();
    // The line that sets `key` (after `after`, the line of a `[[questions]]` entry), else 1.
    let line_of = |key: &str, after: usize| {
        text.lines()
            .enumerate()
            .skip(after.saturating_sub(1))
            .find(|(_, l)| l.trim_start().strip_prefix(key).is_some_and(|r| r.trim_start().starts_with('=')))
            .map(|(i, _)| i + 1)
            .unwrap_or(1)
    };
    let mut errors = Vec::new();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_identifier(&form.id) {
        errors.push(err(line_of("id", 1), format!("id `{}` must be lowercase letters, digits and _", form.id)));
    } else if form.id != stem {
        errors.push(err(line_of("id", 1), format!("id `{}` does not match the file name `{stem}.toml`", form.id)));
    }
    if form.version == 0 {
        errors.push(err(line_of("version", 1), "`version` must be at least 1".into()));
    }
    for (key, value) in [("title", &form.title), ("title_en", &form.title_en)] {
        if value.trim().is_empty() {
            errors.push(err(line_of(key, 1), format!("`{key}` is empty")));
        }
    }
    let s = &form.scale;
    let scale_line = line_of("min", 1);
    if s.min < 1 || s.min >= s.max || s.max > 5 {
        errors.push(err(
            scale_line,
            format!("scale {}–{}: the points must lie within 1–5, `min` below `max`", s.min, s.max),
        ));
    } else {
        let points = usize::from(s.max - s.min) + 1;
        for (key, labels) in [("labels", &s.labels), ("labels_en", &s.labels_en)] {
            if labels.len() != points || labels.iter().any(|l| l.trim().is_empty()) {
                errors.push(err(
                    line_of(key, scale_line),
                    format!("`{key}` needs {points} non-empty labels, one per point of the scale"),
                ));
            }
        }
    }
    if form.rated().next().is_none() {
        errors.push(err(1, "a questionnaire needs at least one rated question (kind = \"scale\")".into()));
    }
    let mut seen = std::collections::HashSet::new();
    let mut from = 1;
    for q in &form.questions {
        // Each question's own lines: from its `id = "…"`.
        let at = text
            .lines()
            .enumerate()
            .skip(from)
            .find(|(_, l)| {
                l.trim_start().strip_prefix("id").is_some_and(|r| r.trim_start().starts_with('='))
                    && l.contains(&format!("\"{}\"", q.id))
            })
            .map(|(i, _)| i + 1)
            .unwrap_or(from);
        from = at;
        if !is_identifier(&q.id) {
            errors.push(err(at, format!("question id `{}` must be lowercase letters, digits and _", q.id)));
        }
        if !seen.insert(q.id.as_str()) {
            errors.push(err(at, format!("question id `{}` is used twice", q.id)));
        }
        for (key, value) in [("text", &q.text), ("text_en", &q.text_en)] {
            if value.trim().is_empty() {
                errors.push(err(line_of(key, at), format!("question `{}`: `{key}` is empty", q.id)));
            }
        }
    }
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(errors)
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes()[0].is_ascii_lowercase()
}

/// Every `evaluasi/*.toml` under the content folder, sorted by id; none when the folder is absent.
pub fn load(dir: &Path) -> Result<Vec<Form>, Vec<ContentError>> {
    let folder = dir.join("evaluasi");
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(vec![ContentError {
                file: folder,
                line: 0,
                message: format!("cannot read the questionnaires folder ({e})"),
            }])
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let (mut forms, mut errors) = (Vec::new(), Vec::new());
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse_form(&file, &text) {
                Ok(f) => forms.push(f),
                Err(mut e) => errors.append(&mut e),
            },
            Err(e) => errors.push(ContentError {
                file: file.clone(),
                line: 0,
                message: format!("cannot read the questionnaire ({e})"),
            }),
        }
    }
    if errors.is_empty() {
        forms.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(forms)
    } else {
        Err(errors)
    }
}

/// The community satisfaction index of PermenPANRB 14/2017 (see README "Evaluasi diklat"): the
/// mean of the per-question means on the 1–4 scale (each question weighted 1/N), times 25.
pub fn ikm(question_means: &[f64]) -> Option<f64> {
    if question_means.is_empty() {
        return None;
    }
    Some(question_means.iter().sum::<f64>() / question_means.len() as f64 * 25.0)
}

/// The service quality (mutu) and performance (kinerja) category of an IKM value (25–100), by the
/// converted intervals of PermenPANRB 14/2017, compared at two decimals: A ≥ 88.31, B ≥ 76.61,
/// C ≥ 65.00, else D. (Bahasa Indonesia, English)
pub fn ikm_category(value: f64) -> (char, &'static str, &'static str) {
    let v = (value * 100.0).round() / 100.0;
    if v >= 88.31 {
        ('A', "Sangat baik", "Very good")
    } else if v >= 76.61 {
        ('B', "Baik", "Good")
    } else if v >= 65.0 {
        ('C', "Kurang baik", "Fair")
    } else {
        ('D', "Tidak baik", "Poor")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Form, Vec<ContentError>> {
        parse_form(Path::new("evaluasi/uji.toml"), text)
    }

    const GOOD: &str = r#"id = "uji"
version = 1
title = "Uji"
title_en = "Test"
scope = "diklat"
[scale]
min = 1
max = 4
labels = ["a", "b", "c", "d"]
labels_en = ["a", "b", "c", "d"]
[[questions]]
id = "satu"
text = "Satu"
text_en = "One"
[[questions]]
id = "saran"
kind = "text"
text = "Saran"
text_en = "Suggestions"
"#;

    #[test]
    fn a_well_formed_questionnaire_reads_with_its_rated_and_open_questions() {
        let f = parse(GOOD).unwrap();
        assert_eq!(f.scope, Scope::Diklat);
        assert_eq!(f.rated().count(), 1);
        assert_eq!(f.open().count(), 1);
        assert!(f.scale.is_ikm());
    }

    #[test]
    fn mistakes_are_named_by_line() {
        let lines = |text: &str| -> Vec<String> {
            parse(text).unwrap_err().iter().map(|e| format!("{}: {}", e.line, e.message)).collect()
        };
        let short_labels = GOOD.replace("labels = [\"a\", \"b\", \"c\", \"d\"]", "labels = [\"a\", \"b\"]");
        assert_eq!(lines(&short_labels), ["9: `labels` needs 4 non-empty labels, one per point of the scale"]);
        let twice = GOOD.replace("id = \"saran\"", "id = \"satu\"");
        assert_eq!(lines(&twice), ["16: question id `satu` is used twice"]);
        let empty = GOOD.replace("text_en = \"One\"", "text_en = \" \"");
        assert_eq!(lines(&empty), ["14: question `satu`: `text_en` is empty"]);
        let unknown = GOOD.replace("scope = \"diklat\"", "scope = \"kelas\"");
        assert!(lines(&unknown)[0].starts_with("5: questionnaire: unknown variant `kelas`"), "{:?}", lines(&unknown));
        let wide = GOOD.replace("max = 4", "max = 10");
        assert_eq!(lines(&wide), ["7: scale 1–10: the points must lie within 1–5, `min` below `max`"]);
        let wrong_id = GOOD.replace("id = \"uji\"", "id = \"lain\"");
        assert_eq!(lines(&wrong_id), ["1: id `lain` does not match the file name `uji.toml`"]);
        let no_rating = GOOD.replace("id = \"satu\"\n", "id = \"satu\"\nkind = \"text\"\n");
        assert_eq!(lines(&no_rating), ["1: a questionnaire needs at least one rated question (kind = \"scale\")"]);
    }

    #[test]
    fn the_shipped_questionnaires_pass_their_checks() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
        let forms = load(&dir).unwrap();
        let ids: Vec<&str> = forms.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["narasumber", "penyelenggaraan"]);
    }

    #[test]
    fn the_index_and_its_category_follow_the_converted_intervals() {
        assert_eq!(ikm(&[4.0, 4.0, 4.0]), Some(100.0));
        assert_eq!(ikm(&[3.0, 4.0]), Some(87.5));
        assert_eq!(ikm(&[]), None);
        for (value, grade) in [
            (100.0, 'A'),
            (88.31, 'A'),
            (88.304, 'B'),
            (76.61, 'B'),
            (76.60, 'C'),
            (65.0, 'C'),
            (64.99, 'D'),
            (25.0, 'D'),
        ] {
            assert_eq!(ikm_category(value).0, grade, "{value}");
        }
    }
}
