//! Question banks (`content/modul/NN-slug/soal.toml`, beside the module) and grading.
//!
//! The format, in Bahasa Indonesia as authors write it (see the README, "Bank soal"):
//!
//! ```toml
//! [[soal]]
//! id = "pu-01"
//! jenis = "pilihan"          # pilihan | pilihan-ganda | benar-salah | isian | angka
//! teks = """Markdown"""
//! penjelasan = """shown after the attempt"""
//!   [[soal.opsi]]            # pilihan, pilihan-ganda
//!   teks = "…"
//!   benar = true             # or `bobot = 50` (percent, −100…100) for partial credit
//! # benar-salah: jawaban = true | false
//! # isian:       jawaban = ["accepted", "variant"]   (case-insensitive)
//! # angka:       jawaban = 1500000, toleransi = 0
//! ```
//!
//! Grading happens here, on the server, from the bank; the browser never sees `benar`/`jawaban`.

use crate::content_error::ContentError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "soal.toml";
/// A bank smaller than this cannot draw a fair test.
pub const MIN_QUESTIONS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Single,
    Multiple,
    TrueFalse,
    Short,
    Numeric,
}

impl Kind {
    pub fn from_code(code: &str) -> Option<Kind> {
        [Kind::Single, Kind::Multiple, Kind::TrueFalse, Kind::Short, Kind::Numeric]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The code stored in `questions.kind`.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::TrueFalse => "true_false",
            Kind::Short => "short",
            Kind::Numeric => "numeric",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Sanitised HTML of the option text.
    pub html: String,
    pub correct: bool,
    /// Credit for ticking it, −1.0…1.0, when the bank gives weights (`bobot`); without weights a
    /// single choice is all-or-nothing and several-correct share 1/k.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Sanitised HTML of the feedback shown in the review to whoever ticked this option
    /// (`umpan_balik`; GIFT's per-answer `#feedback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_html: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Key {
    Choices(Vec<Choice>),
    TrueFalse(bool),
    /// Accepted answers, already normalised.
    Short(Vec<String>),
    Numeric {
        value: f64,
        tolerance: f64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub id: String,
    /// Line of its `[[soal]]` header.
    pub line: usize,
    pub kind: Kind,
    pub html: String,
    pub explanation_html: String,
    pub key: Key,
    /// The objective it measures (`tujuan`: 1-based index of the module's objectives).
    pub objective: Option<u32>,
    /// The `##` section it comes from (`bagian`), by anchor.
    pub section: Option<String>,
    /// The stem and the options as written (Markdown), for the bank's checks (`bank_check`).
    pub stem: String,
    pub option_texts: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Bank {
    pub path: PathBuf,
    pub questions: Vec<Question>,
    /// SHA-256 of the file, hex.
    pub hash: String,
    /// Quiz settings the content gives (`[tes_awal]`, `[tes_akhir]`), if any.
    pub pre: Option<QuizSettings>,
    pub post: Option<QuizSettings>,
}

/// A pre-test's or post-test's settings as the content gives them; unset fields keep the
/// defaults (10 questions, pass mark 70, 3 attempts, no time limit, highest, both shuffles).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuizSettings {
    pub jumlah_soal: Option<i32>,
    pub nilai_lulus: Option<i32>,
    pub kesempatan: Option<i32>,
    /// Minutes; 0 for none.
    pub batas_waktu_menit: Option<i32>,
    /// tertinggi | terakhir | pertama | rata-rata
    pub nilai_dihitung: Option<String>,
    pub acak_soal: Option<bool>,
    pub acak_opsi: Option<bool>,
    /// After submission, show each question's correct answer and explanation (default true).
    pub tampilkan_pembahasan: Option<bool>,
}

impl QuizSettings {
    /// The grading method code stored in `quizzes.grading_method`.
    pub fn grading_method(&self) -> Option<&'static str> {
        match self.nilai_dihitung.as_deref()? {
            "tertinggi" => Some("highest"),
            "terakhir" => Some("last"),
            "pertama" => Some("first"),
            "rata-rata" => Some("average"),
            _ => None,
        }
    }

    fn problems(&self, bank_size: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut range = |name: &str, v: Option<i32>, lo: i32, hi: i32| {
            if v.is_some_and(|v| !(lo..=hi).contains(&v)) {
                out.push(format!("`{name}` must be {lo}–{hi}"));
            }
        };
        range("jumlah_soal", self.jumlah_soal, 1, bank_size.max(1) as i32);
        range("nilai_lulus", self.nilai_lulus, 0, 100);
        range("kesempatan", self.kesempatan, 1, 10);
        range("batas_waktu_menit", self.batas_waktu_menit, 0, 600);
        if self.nilai_dihitung.is_some() && self.grading_method().is_none() {
            out.push("`nilai_dihitung` must be tertinggi, terakhir, pertama or rata-rata".into());
        }
        out
    }
}

/// The file as written (also what the GIFT importer writes).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBank {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tes_awal: Option<QuizSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tes_akhir: Option<QuizSettings>,
    #[serde(default)]
    pub soal: Vec<RawQuestion>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestion {
    pub id: String,
    pub jenis: String,
    /// The objective it measures: the 1-based index of the module's front-matter `objectives`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tujuan: Option<u32>,
    /// The `##` section of the module it comes from, by anchor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bagian: Option<String>,
    pub teks: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub penjelasan: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jawaban: Option<toml::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleransi: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opsi: Vec<RawOption>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOption {
    pub teks: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub benar: bool,
    /// Percent of the question's credit, −100…100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bobot: Option<f64>,
    /// Shown in the review only to whoever ticked this option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub umpan_balik: Option<String>,
}

impl RawOption {
    fn correct(&self) -> bool {
        self.bobot.map_or(self.benar, |w| w > 0.0)
    }
}

/// Markdown → sanitised HTML, with the module pipeline's rules.
fn markdown(text: &str) -> String {
    use pulldown_cmark::{html, Options, Parser};
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(text.trim(), Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH));
    crate::render::sanitize(&out)
}

/// Lower case, single spaces, no surrounding punctuation: how short answers are compared.
pub fn normalise_text(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| c.is_ascii_punctuation())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Why a typed number was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number.
    Unreadable,
    /// One point followed by exactly three digits (`3.142`, `1.500`): a decimal point to some,
    /// a thousands separator to others. Graded neither way — the participant is asked again.
    Ambiguous,
}

/// Reads a number the ways Indonesians write it: `1.500.000`, `1500000`, `12,5`, `Rp 2.000`,
/// `7.5`, `1.500.000,50`. The rule that cannot misgrade: a comma is the decimal separator; a
/// point followed by other than exactly three digits is a decimal point; several points each
/// followed by three digits (or one after `Rp`) separate thousands; a single point followed by
/// exactly three digits is [`NumberError::Ambiguous`].
pub fn read_number(input: &str) -> Result<f64, NumberError> {
    let trimmed = input.trim();
    let money = trimmed.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("rp"));
    let s: String = trimmed
        .trim_start_matches("Rp")
        .trim_start_matches("rp")
        .trim_start_matches("RP")
        .trim_start_matches('.')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '%')
        .collect();
    if s.is_empty() {
        return Err(NumberError::Unreadable);
    }
    let (dots, commas) = (s.matches('.').count(), s.matches(',').count());
    let grouped = |text: &str, sep: char| {
        let parts: Vec<&str> = text.trim_start_matches('-').split(sep).collect();
        parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts[1..].iter().all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
    };
    let normal = match (dots, commas) {
        (0, 0) => s.clone(),
        // 1.500.000,50 — dots group thousands, the comma is the decimal separator.
        (_, 1) if dots > 0 => {
            let (whole, fraction) = s.split_once(',').expect("one comma");
            if !grouped(whole, '.') {
                return Err(NumberError::Unreadable);
            }
            format!("{}.{fraction}", whole.replace('.', ""))
        }
        (0, 1) => s.replace(',', "."),
        (1, 0) => {
            let after = s.split_once('.').map_or(0, |(_, a)| a.len());
            match (after == 3 && grouped(&s, '.'), money) {
                (true, true) => s.replace('.', ""),
                (true, false) => return Err(NumberError::Ambiguous),
                (false, _) => s.clone(),
            }
        }
        (_, 0) if grouped(&s, '.') => s.replace('.', ""),
        _ => return Err(NumberError::Unreadable),
    };
    normal.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(NumberError::Unreadable)
}

/// [`read_number`] without the reason.
pub fn parse_number(input: &str) -> Option<f64> {
    read_number(input).ok()
}

/// What makes two questions the same question whatever their ids: kind, text and key (options
/// with their marks, accepted answers, number and tolerance).
pub fn fingerprint(q: &Question) -> String {
    format!("{}\u{1f}{}\u{1f}{}", q.kind.code(), q.html, serde_json::to_string(&q.key).expect("a key serialises"))
}

/// The question ids of a bank file, read leniently (for choosing new ids that do not clash).
pub fn ids_in(text: &str) -> std::collections::HashSet<String> {
    toml::from_str::<RawBank>(text).map(|b| b.soal.into_iter().map(|q| q.id).collect()).unwrap_or_default()
}

/// Parses and checks a bank file; every problem is reported with its line.
pub fn parse_bank(path: &Path, text: &str) -> Result<Bank, Vec<ContentError>> {
    use sha2::{Digest, Sha256};
    let err = |line: usize, message: String| ContentError { file: path.to_path_buf(), line, message };
    let raw: RawBank = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count()).unwrap_or(1);
        vec![err(line, format!("question bank: {}", e.message()))]
    })?;
    // The i-th `[[soal]]` header is the i-th question.
    let headers: Vec<usize> =
        text.lines().enumerate().filter(|(_, l)| l.trim() == "[[soal]]").map(|(i, _)| i + 1).collect();
    let mut errors = Vec::new();
    let mut questions = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let (pre, post) = (raw.tes_awal.clone(), raw.tes_akhir.clone());
    for (i, q) in raw.soal.into_iter().enumerate() {
        let line = headers.get(i).copied().unwrap_or(1);
        if q.id.trim().is_empty() {
            errors.push(err(line, format!("question `{}`: `id` is empty", q.id)));
        } else if let Some(first) = seen.insert(q.id.clone(), line) {
            errors.push(err(line, format!("question `{}`: the id is also used at line {first}", q.id)));
        }
        let id = q.id.clone();
        if let Some(question) =
            check_question(q, line, &mut |m| errors.push(err(line, format!("question `{id}`: {m}"))))
        {
            questions.push(question);
        }
    }
    for (table, settings) in [("tes_awal", &raw.tes_awal), ("tes_akhir", &raw.tes_akhir)] {
        let Some(settings) = settings else { continue };
        let header = format!("[{table}]");
        let line = text.lines().position(|l| l.trim() == header).map_or(1, |i| i + 1);
        for m in settings.problems(questions.len()) {
            errors.push(err(line, format!("{header}: {m}")));
        }
    }
    if questions.len() < MIN_QUESTIONS && errors.is_empty() {
        errors
            .push(err(1, format!("a bank needs at least {MIN_QUESTIONS} questions, this one has {}", questions.len())));
    }
    if errors.is_empty() {
        Ok(Bank { path: path.to_path_buf(), questions, hash: hex::encode(Sha256::digest(text.as_bytes())), pre, post })
    } else {
        Err(errors)
    }
}

/// Checks one question as written and builds it; each problem goes to `problem` (the caller adds
/// the file, line and id). `None` when the kind is unknown.
pub(crate) fn check_question(q: RawQuestion, line: usize, problem: &mut dyn FnMut(String)) -> Option<Question> {
    if q.teks.trim().is_empty() {
        problem("`teks` is empty".into());
    }
    let choices = |opsi: &[RawOption]| {
        opsi.iter()
            .map(|o| Choice {
                html: markdown(&o.teks),
                correct: o.correct(),
                weight: o.bobot.map(|w| w / 100.0),
                feedback_html: o.umpan_balik.as_deref().filter(|f| !f.trim().is_empty()).map(markdown),
            })
            .collect::<Vec<_>>()
    };
    let correct = q.opsi.iter().filter(|o| o.correct()).count();
    let (kind, key) = match q.jenis.as_str() {
        "pilihan" | "pilihan-ganda" => {
            let multiple = q.jenis == "pilihan-ganda";
            if q.opsi.len() < 2 {
                problem("needs at least two `[[soal.opsi]]`".into());
            }
            if q.opsi.iter().any(|o| o.teks.trim().is_empty()) {
                problem("an option has an empty `teks`".into());
            }
            check_weights(&q.opsi, multiple, problem);
            let weighted = q.opsi.iter().any(|o| o.bobot.is_some());
            if !multiple && !weighted && correct != 1 {
                problem(format!("`pilihan` needs exactly one correct option (`benar = true`), found {correct}"));
            }
            if multiple && (correct == 0 || (!weighted && correct == q.opsi.len())) {
                problem(format!(
                    "`pilihan-ganda` needs at least one correct and one wrong option, found {correct} of {}",
                    q.opsi.len()
                ));
            }
            if q.jawaban.is_some() || q.toleransi.is_some() {
                problem("`jawaban`/`toleransi` do not belong to a choice question (mark options `benar`)".into());
            }
            (if multiple { Kind::Multiple } else { Kind::Single }, Key::Choices(choices(&q.opsi)))
        }
        "benar-salah" => match q.jawaban {
            Some(toml::Value::Boolean(b)) => (Kind::TrueFalse, Key::TrueFalse(b)),
            _ => {
                problem("`benar-salah` needs `jawaban = true` or `jawaban = false`".into());
                (Kind::TrueFalse, Key::TrueFalse(false))
            }
        },
        "isian" => {
            let accepted: Vec<String> = match &q.jawaban {
                Some(toml::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).map(normalise_text).collect(),
                Some(toml::Value::String(s)) => vec![normalise_text(s)],
                _ => vec![],
            };
            // An answer of only punctuation normalises to nothing, which no response can match.
            let accepted: Vec<String> = accepted.into_iter().filter(|s| !s.is_empty()).collect();
            if accepted.is_empty() {
                problem("`isian` needs `jawaban = [\"…\", …]` with at least one accepted answer".into());
            }
            (Kind::Short, Key::Short(accepted))
        }
        "angka" => {
            let value = match &q.jawaban {
                Some(toml::Value::Integer(n)) => Some(*n as f64),
                Some(toml::Value::Float(f)) => Some(*f),
                _ => None,
            }
            // `inf` would accept every number (|x − inf| ≤ tolerance + 1e-9·inf), `nan` none.
            .filter(|v| v.is_finite());
            let tolerance = q.toleransi.unwrap_or(0.0);
            if value.is_none() {
                problem("`angka` needs a number in `jawaban`".into());
            }
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                problem("`toleransi` must be a number ≥ 0".into());
            }
            (Kind::Numeric, Key::Numeric { value: value.unwrap_or(0.0), tolerance })
        }
        other => {
            problem(format!("unknown `jenis = \"{other}\"` (pilihan, pilihan-ganda, benar-salah, isian or angka)"));
            return None;
        }
    };
    if !matches!(kind, Kind::Single | Kind::Multiple) && !q.opsi.is_empty() {
        problem("only `pilihan` and `pilihan-ganda` have options".into());
    }
    Some(Question {
        id: q.id,
        line,
        kind,
        html: markdown(&q.teks),
        explanation_html: markdown(&q.penjelasan),
        key,
        objective: q.tujuan,
        section: q.bagian.filter(|b| !b.trim().is_empty()),
        option_texts: q.opsi.iter().map(|o| o.teks.clone()).collect(),
        stem: q.teks,
    })
}

/// Weights (`bobot`, percent) must add up: a single choice has one option worth 100; the
/// positive weights of a several-correct question sum to 100; none is outside −100…100.
fn check_weights(opsi: &[RawOption], multiple: bool, problem: &mut dyn FnMut(String)) {
    let weights: Vec<f64> = opsi.iter().filter_map(|o| o.bobot).collect();
    if weights.is_empty() {
        return;
    }
    if weights.len() != opsi.len() {
        problem("give `bobot` to every option or to none".into());
        return;
    }
    if opsi.iter().any(|o| o.benar && o.bobot.is_some_and(|w| w <= 0.0)) {
        problem("an option is `benar = true` but its `bobot` is not positive".into());
    }
    if weights.iter().any(|w| !w.is_finite() || !(-100.0..=100.0).contains(w)) {
        problem("`bobot` must be between -100 and 100".into());
        return;
    }
    let positive: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if multiple && (positive - 100.0).abs() > 0.1 {
        problem(format!("the positive `bobot` of the options add up to {positive}, not 100"));
    }
    if !multiple && !weights.iter().any(|w| (w - 100.0).abs() < 1e-9) {
        problem("`pilihan` with `bobot` needs one option worth 100".into());
    }
}

/// What a participant answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Indices into the bank's options (not the shuffled display order).
    Choices(Vec<usize>),
    TrueFalse(bool),
    Text(String),
}

/// The credit a response earns, 0.0–1.0.
///
/// Several-correct questions give each correct option 1/k and take 1/(n−k) for each wrong one
/// ticked, floored at 0: ticking everything earns nothing, so guessing does not pay.
pub fn grade(question: &Question, response: &Response) -> f64 {
    grade_key(question.kind, &question.key, response)
}

/// [`grade`] for a question stored in the database (its kind and key).
pub fn grade_key(kind: Kind, key: &Key, response: &Response) -> f64 {
    match (key, response) {
        (Key::Choices(options), Response::Choices(chosen)) => {
            let mut chosen = chosen.clone();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.iter().any(|&i| i >= options.len()) {
                return 0.0;
            }
            if options.iter().any(|o| o.weight.is_some()) {
                if kind == Kind::Single && chosen.len() > 1 {
                    return 0.0;
                }
                let sum: f64 = chosen.iter().map(|&i| options[i].weight.unwrap_or(0.0)).sum();
                return sum.clamp(0.0, 1.0);
            }
            match kind {
                Kind::Single => {
                    if chosen.len() == 1 && options[chosen[0]].correct {
                        1.0
                    } else {
                        0.0
                    }
                }
                _ => {
                    let k = options.iter().filter(|o| o.correct).count();
                    let wrong = options.len() - k;
                    if k == 0 {
                        return 0.0;
                    }
                    let score: f64 = chosen
                        .iter()
                        .map(|&i| if options[i].correct { 1.0 / k as f64 } else { -1.0 / wrong.max(1) as f64 })
                        .sum();
                    score.clamp(0.0, 1.0)
                }
            }
        }
        (Key::TrueFalse(answer), Response::TrueFalse(given)) => f64::from(u8::from(answer == given)),
        (Key::Short(accepted), Response::Text(given)) => {
            let given = normalise_text(given);
            f64::from(u8::from(!given.is_empty() && accepted.contains(&given)))
        }
        (Key::Numeric { value, tolerance }, Response::Text(given)) => match parse_number(given) {
            Some(x) => f64::from(u8::from((x - value).abs() <= tolerance + 1e-9 * value.abs().max(1.0))),
            None => 0.0,
        },
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(body: &str) -> Result<Bank, Vec<ContentError>> {
        parse_bank(Path::new("soal.toml"), body)
    }

    fn padding(n: usize) -> String {
        (0..n)
            .map(|i| format!("[[soal]]\nid = \"p{i}\"\njenis = \"benar-salah\"\nteks = \"T\"\njawaban = true\n\n"))
            .collect()
    }

    fn choice(id: &str, kind: Kind, correct: &[bool]) -> Question {
        Question {
            id: id.into(),
            line: 1,
            kind,
            html: String::new(),
            explanation_html: String::new(),
            objective: None,
            section: None,
            stem: String::new(),
            option_texts: Vec::new(),
            key: Key::Choices(
                correct
                    .iter()
                    .map(|&c| Choice { html: String::new(), correct: c, weight: None, feedback_html: None })
                    .collect(),
            ),
        }
    }

    #[test]
    fn a_single_choice_earns_all_or_nothing() {
        let q = choice("a", Kind::Single, &[false, true, false, false]);
        assert_eq!(grade(&q, &Response::Choices(vec![1])), 1.0);
        assert_eq!(grade(&q, &Response::Choices(vec![0])), 0.0);
        assert_eq!(grade(&q, &Response::Choices(vec![0, 1])), 0.0, "two ticks on a single choice");
        assert_eq!(grade(&q, &Response::Choices(vec![9])), 0.0, "an option that does not exist");
    }

    #[test]
    fn several_correct_give_partial_credit_and_guessing_everything_earns_nothing() {
        let q = choice("m", Kind::Multiple, &[true, true, false, false, true]);
        let third = 1.0 / 3.0;
        assert!((grade(&q, &Response::Choices(vec![0])) - third).abs() < 1e-9);
        assert!((grade(&q, &Response::Choices(vec![0, 1, 4])) - 1.0).abs() < 1e-9);
        assert!((grade(&q, &Response::Choices(vec![0, 1, 2])) - (2.0 * third - 0.5)).abs() < 1e-9);
        assert_eq!(grade(&q, &Response::Choices(vec![0, 1, 2, 3, 4])), 0.0, "everything ticked");
        assert_eq!(grade(&q, &Response::Choices(vec![2, 3])), 0.0, "negative marks floor at 0");
        assert_eq!(grade(&q, &Response::Choices(vec![0, 0, 0])), third, "a repeated tick counts once");
    }

    #[test]
    fn short_answers_match_any_variant_ignoring_case_and_spacing() {
        let q = Question {
            id: "s".into(),
            line: 1,
            kind: Kind::Short,
            html: String::new(),
            explanation_html: String::new(),
            objective: None,
            section: None,
            stem: String::new(),
            option_texts: Vec::new(),
            key: Key::Short(vec!["shu".into(), "sisa hasil usaha".into()]),
        };
        assert_eq!(grade(&q, &Response::Text("  Sisa   Hasil Usaha. ".into())), 1.0);
        assert_eq!(grade(&q, &Response::Text("SHU".into())), 1.0);
        assert_eq!(grade(&q, &Response::Text("laba".into())), 0.0);
        assert_eq!(grade(&q, &Response::Text("".into())), 0.0);
    }

    #[test]
    fn numbers_are_read_as_written_in_indonesia_and_judged_within_the_tolerance() {
        assert_eq!(parse_number("1.500.000"), Some(1_500_000.0));
        assert_eq!(parse_number("Rp 2.000"), Some(2000.0));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("1.500.000,50"), Some(1_500_000.5));
        assert_eq!(parse_number("7.5"), Some(7.5));
        assert_eq!(parse_number("2.71"), Some(2.71));
        assert_eq!(parse_number("0.1234"), Some(0.1234));
        // One point before exactly three digits reads two ways: asked again, never guessed.
        assert_eq!(read_number("3.142"), Err(NumberError::Ambiguous));
        assert_eq!(read_number("1.500"), Err(NumberError::Ambiguous));
        assert_eq!(read_number("Rp 1.500"), Ok(1500.0));
        assert_eq!(read_number("3,125"), Ok(3.125));
        assert_eq!(read_number("12.500.000"), Ok(12_500_000.0));
        assert_eq!(read_number("12.50.000"), Err(NumberError::Unreadable));
        assert_eq!(parse_number("6%"), Some(6.0));
        assert_eq!(parse_number("dua"), None);
        let q = Question {
            id: "n".into(),
            line: 1,
            kind: Kind::Numeric,
            html: String::new(),
            explanation_html: String::new(),
            objective: None,
            section: None,
            stem: String::new(),
            option_texts: Vec::new(),
            key: Key::Numeric { value: 100.0, tolerance: 2.0 },
        };
        assert_eq!(grade(&q, &Response::Text("102".into())), 1.0, "upper bound included");
        assert_eq!(grade(&q, &Response::Text("98".into())), 1.0, "lower bound included");
        assert_eq!(grade(&q, &Response::Text("102,01".into())), 0.0);
        assert_eq!(grade(&q, &Response::Text("seratus".into())), 0.0);
    }

    #[test]
    fn a_valid_bank_loads_with_its_lines_and_sanitised_text() {
        let text = format!(
            "[[soal]]\nid = \"a\"\njenis = \"pilihan\"\nteks = \"**Apa** <script>alert(1)</script>?\"\n  [[soal.opsi]]\n  teks = \"x\"\n  benar = true\n  [[soal.opsi]]\n  teks = \"y\"\n  benar = false\n\n{}",
            padding(19)
        );
        let b = bank(&text).unwrap();
        assert_eq!(b.questions.len(), 20);
        assert_eq!(b.questions[0].line, 1);
        assert!(b.questions[0].html.contains("<strong>Apa</strong>"));
        assert!(!b.questions[0].html.contains("script"));
        assert_eq!(b.questions[1].line, 12);
    }

    #[test]
    fn every_kind_of_mistake_is_reported_with_its_line() {
        let text = format!(
            "{}[[soal]]\nid = \"p0\"\njenis = \"pilihan\"\nteks = \"T\"\n  [[soal.opsi]]\n  teks = \"a\"\n  benar = true\n  [[soal.opsi]]\n  teks = \"b\"\n  benar = true\n\n[[soal]]\nid = \"x\"\njenis = \"angka\"\nteks = \"T\"\n\n[[soal]]\nid = \"y\"\njenis = \"isian\"\nteks = \"T\"\njawaban = []\n\n[[soal]]\nid = \"z\"\njenis = \"esai\"\nteks = \"T\"\n",
            padding(20)
        );
        let errors = bank(&text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            shown.iter().any(|e| e.starts_with("soal.toml:121:") && e.contains("also used at line 1")),
            "{shown:?}"
        );
        assert!(shown.iter().any(|e| e.contains("exactly one correct option") && e.ends_with("found 2")), "{shown:?}");
        assert!(shown.iter().any(|e| e.starts_with("soal.toml:132:") && e.contains("needs a number")), "{shown:?}");
        assert!(
            shown.iter().any(|e| e.starts_with("soal.toml:137:") && e.contains("at least one accepted")),
            "{shown:?}"
        );
        assert!(shown.iter().any(|e| e.starts_with("soal.toml:143:") && e.contains("unknown `jenis")), "{shown:?}");
    }

    #[test]
    fn quiz_settings_in_the_bank_are_checked_with_their_line() {
        let text = format!(
            "[tes_awal]\njumlah_soal = 5\n\n[tes_akhir]\njumlah_soal = 30\nnilai_dihitung = \"median\"\n\n{}",
            padding(20)
        );
        let errors = bank(&text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[0].starts_with("soal.toml:4: [tes_akhir]: `jumlah_soal` must be 1–20"), "{shown:?}");
        assert!(shown[1].contains("`nilai_dihitung` must be"), "{shown:?}");
        let ok =
            bank(&format!("[tes_awal]\njumlah_soal = 5\nnilai_dihitung = \"rata-rata\"\n\n{}", padding(20))).unwrap();
        assert_eq!(ok.pre.as_ref().and_then(|s| s.grading_method()), Some("average"));
        assert!(ok.post.is_none());
    }

    #[test]
    fn option_weights_must_add_up() {
        let q = |opsi: &str| {
            format!("[[soal]]\nid = \"w\"\njenis = \"pilihan-ganda\"\nteks = \"T\"\n{opsi}\n{}", padding(19))
        };
        let opt = |w: i32| format!("  [[soal.opsi]]\n  teks = \"o{w}\"\n  bobot = {w}\n");
        let good = bank(&q(&[opt(50), opt(50), opt(-100)].concat())).unwrap();
        assert_eq!(grade(&good.questions[0], &Response::Choices(vec![0])), 0.5);
        let short = bank(&q(&[opt(50), opt(30), opt(-100)].concat())).unwrap_err();
        assert!(
            short[0].to_string().starts_with("soal.toml:1:") && short[0].message.contains("add up to 80"),
            "{}",
            short[0]
        );
        let over = bank(&q(&[opt(150), opt(-50)].concat())).unwrap_err();
        assert!(over[0].message.contains("between -100 and 100"), "{}", over[0]);
        let mixed = bank(&q(&format!("{}  [[soal.opsi]]\n  teks = \"x\"\n  benar = true\n", opt(100)))).unwrap_err();
        assert!(mixed[0].message.contains("every option or to none"), "{}", mixed[0]);
    }

    #[test]
    fn malformed_toml_and_small_banks_are_refused() {
        let broken = bank("[[soal]]\nid = \"a\"\njenis = pilihan\n").unwrap_err();
        assert!(broken[0].to_string().starts_with("soal.toml:3:"), "{}", broken[0]);
        let small = bank(&padding(3)).unwrap_err();
        assert!(small[0].message.contains("at least 20 questions"));
    }
}
