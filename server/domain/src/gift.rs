//! Moodle GIFT import: the plain-text question format Moodle teachers already use, converted into
//! this project's bank (`soal.toml`) questions.
//!
//! Follows Moodle's documented syntax: `//` comment lines, `$CATEGORY:` lines, `::title::`,
//! `[markdown]`/`[html]`/`[plain]`/`[moodle]` markers, questions separated by blank lines, answers
//! in `{…}` (also in the middle of the text: "missing word", shown as `_____`), `=right`, `~wrong`,
//! `%50%` weights, `#feedback`, `####general feedback`, `{T}`/`{FALSE}`, short answers
//! `{=a =b}`, numbers `{#3:0.5}`, `{#1..5}`, `{#=1822:0 =%50%1822:2}`, and the escapes
//! `\~ \= \# \{ \} \:` and `\n`.
//!
//! What the bank cannot hold is reported with its line: matching and essay questions and
//! descriptions are skipped; partial credit on short or numeric answers is dropped with a note.
//! Messages are in Bahasa Indonesia: panitia read them on the upload page.

use crate::quiz::{check_question, Question, RawBank, RawOption, RawQuestion};
use std::collections::{HashMap, HashSet};

/// A question the import can keep.
#[derive(Clone, Debug)]
pub struct Imported {
    /// Line of the question's first line in the GIFT file.
    pub line: usize,
    pub(crate) raw: RawQuestion,
    pub question: Question,
}

/// Something the bank cannot take as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
    /// The question is left out (otherwise it is imported with the change the message names).
    pub skipped: bool,
}

#[derive(Clone, Debug, Default)]
pub struct GiftImport {
    pub questions: Vec<Imported>,
    pub problems: Vec<Problem>,
    pub categories: Vec<String>,
}

impl GiftImport {
    /// Every problem must be confirmed (skip or accept the change) before anything is imported.
    pub fn needs_confirmation(&self) -> bool {
        !self.problems.is_empty()
    }

    pub fn skipped(&self) -> usize {
        self.problems.iter().filter(|p| p.skipped).count()
    }

    /// Tags every question with the objective it measures and the section it comes from (what the
    /// upload page asks for, as `tujuan` and `bagian` in a bank file).
    pub fn tag(&mut self, objective: Option<u32>, section: Option<String>) {
        for q in &mut self.questions {
            q.raw.tujuan = objective;
            q.raw.bagian = section.clone();
            q.question.objective = objective;
            q.question.section = section.clone();
        }
    }

    /// Leaves out every question that is already in the bank (`existing`: fingerprint → id, see
    /// [`crate::quiz::fingerprint`]) or earlier in the same file, each with a problem naming the
    /// question it repeats: uploading a file twice must not add its questions twice.
    pub fn drop_duplicates(&mut self, existing: &HashMap<String, String>) {
        let mut seen = existing.clone();
        let mut kept = Vec::new();
        for q in std::mem::take(&mut self.questions) {
            let print = crate::quiz::fingerprint(&q.question);
            match seen.get(&print) {
                Some(id) => self.problems.push(Problem {
                    line: q.line,
                    message: format!("soal ini sama dengan soal \"{id}\" yang sudah ada; dilewati"),
                    skipped: true,
                }),
                None => {
                    seen.insert(print, q.raw.id.clone());
                    kept.push(q);
                }
            }
        }
        self.questions = kept;
        self.problems.sort_by_key(|p| p.line);
    }

    /// The kept questions as `soal.toml` text (the bank format, reparsed by `content check`).
    pub fn to_toml(&self) -> String {
        let bank =
            RawBank { tes_awal: None, tes_akhir: None, soal: self.questions.iter().map(|q| q.raw.clone()).collect() };
        toml::to_string_pretty(&bank).expect("a bank serialises")
    }
}

/// Reads a GIFT file. `taken` holds ids already in the bank the questions will join; new ids
/// avoid them.
pub fn parse(text: &str, taken: &HashSet<String>) -> GiftImport {
    let mut out = GiftImport::default();
    let mut ids: HashSet<String> = taken.clone();
    // The next suffix to try for each id base: ids are only added, so those below it stay taken.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    // Old Mac files end lines with a lone CR; Windows ones with CR LF.
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    for block in blocks(&text) {
        let mut lines = block.lines.as_slice();
        while let Some((_, first)) = lines.first() {
            let Some(category) = first.trim_start().strip_prefix("$CATEGORY:") else { break };
            out.categories.push(category.trim().to_string());
            lines = &lines[1..];
        }
        let Some(&(line, _)) = lines.first() else { continue };
        let body = lines.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join("\n");
        let mut notes = Vec::new();
        match convert(&body, &mut notes) {
            Ok((title, mut raw)) => {
                raw.id = unique_id(title.as_deref(), line, &ids, &mut next_suffix);
                let mut errors = Vec::new();
                let question = check_question(raw.clone(), line, &mut |m| errors.push(m));
                match question {
                    Some(question) if errors.is_empty() => {
                        ids.insert(raw.id.clone());
                        for message in notes {
                            out.problems.push(Problem { line, message: named(&title, &message), skipped: false });
                        }
                        out.questions.push(Imported { line, raw, question });
                    }
                    _ => {
                        let message = format!("tidak valid ({}); dilewati", errors.join("; "));
                        out.problems.push(Problem { line, message: named(&title, &message), skipped: true });
                    }
                }
            }
            Err((title, message)) => {
                out.problems.push(Problem { line, message: named(&title, &message), skipped: true });
            }
        }
    }
    out
}

fn named(title: &Option<String>, message: &str) -> String {
    match title {
        Some(t) => format!("soal \"{t}\": {message}"),
        None => format!("soal: {message}"),
    }
}

struct Block {
    /// (line number, text) without comment lines.
    lines: Vec<(usize, String)>,
}

/// Questions are separated by blank lines; `//` lines are comments.
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim_start().starts_with("//") {
            continue;
        }
        if l.trim().is_empty() {
            if !current.is_empty() {
                out.push(Block { lines: std::mem::take(&mut current) });
            }
            continue;
        }
        current.push((i + 1, l.to_string()));
    }
    if !current.is_empty() {
        out.push(Block { lines: current });
    }
    out
}

/// Byte index of the first `pat` at or after `from` that is not escaped with `\`.
fn find(s: &str, pat: &str, from: usize) -> Option<usize> {
    let (b, p) = (s.as_bytes(), pat.as_bytes());
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i..].starts_with(p) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Splits at every unescaped `sep`.
fn split(s: &str, sep: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(i) = find(s, sep, start) {
        out.push(s[start..i].to_string());
        start = i + sep.len();
    }
    out.push(s[start..].to_string());
    out
}

/// Resolves the escapes `\~ \= \# \{ \} \:`, `\\` and `\n`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(e @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// An id from the title (or the line) that is not in `ids`. `next_suffix` remembers where the
/// search for each base stopped, so that a file of many questions with one title is not
/// searched from `-2` each time (quadratic in the number of questions).
fn unique_id(
    title: Option<&str>,
    line: usize,
    ids: &HashSet<String>,
    next_suffix: &mut HashMap<String, usize>,
) -> String {
    let slug: String = title
        .unwrap_or("")
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(40)
        .collect();
    let base = if slug.is_empty() { format!("gift-{line}") } else { slug };
    // 1 stands for the base itself, then `-2`, `-3`, …
    let n = next_suffix.entry(base.clone()).or_insert(1);
    loop {
        let id = if *n == 1 { base.clone() } else { format!("{base}-{n}") };
        if !ids.contains(&id) {
            return id;
        }
        *n += 1;
    }
}

/// One answer inside `{…}`: `=` or `~`, an optional `%weight%`, its text and `#feedback`.
struct Answer {
    right: bool,
    weight: Option<f64>,
    text: String,
    feedback: String,
}

type Failure = (Option<String>, String);

/// Reads `%50%` at the start of an answer.
fn weight(s: &str) -> Result<(Option<f64>, &str), String> {
    let t = s.trim_start();
    let Some(rest) = t.strip_prefix('%') else { return Ok((None, t)) };
    let Some(end) = rest.find('%') else { return Err(format!("bobot tanpa % penutup: \"{}\"", t.trim())) };
    match rest[..end].trim().parse::<f64>() {
        Ok(w) if w.is_finite() && (-100.0..=100.0).contains(&w) => Ok((Some(w), &rest[end + 1..])),
        _ => Err(format!("bobot \"%{}%\" harus angka antara -100 dan 100", &rest[..end])),
    }
}

fn answers(s: &str) -> Result<Vec<Answer>, String> {
    // Every unescaped `=` or `~`, in one pass (searching for the next of each from every mark
    // was quadratic: a 40 kB answer block took seconds).
    let mut marks = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'=' | b'~' => marks.push(i),
            _ => {}
        }
        i += 1;
    }
    if let Some(&first) = marks.first() {
        if !s[..first].trim().is_empty() {
            return Err(format!("teks \"{}\" sebelum jawaban pertama (= atau ~)", s[..first].trim()));
        }
    }
    let mut out = Vec::new();
    for (n, &at) in marks.iter().enumerate() {
        let end = marks.get(n + 1).copied().unwrap_or(s.len());
        let (w, rest) = weight(&s[at + 1..end])?;
        let parts = split(rest, "#");
        let text = unescape(without_marker(parts[0].trim()));
        let feedback = unescape(without_marker(parts[1..].join("#").trim()));
        out.push(Answer { right: &s[at..at + 1] == "=", weight: w, text, feedback });
    }
    Ok(out)
}

/// `3.14:0.01`, `1..5` or `3` → (value, tolerance).
fn number(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    let parse = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    if let Some((lo, hi)) = s.split_once("..") {
        let (lo, hi) = (parse(lo)?, parse(hi)?);
        return (lo <= hi).then(|| ((lo + hi) / 2.0, (hi - lo) / 2.0));
    }
    match split(s, ":").as_slice() {
        [v] => Some((parse(v)?, 0.0)),
        [v, t] => Some((parse(v)?, parse(t)?.abs())),
        _ => None,
    }
}

/// Drops a leading format marker (`[markdown]`, `[html]`, `[plain]`, `[moodle]`): Moodle allows
/// one at the start of the question text, of each answer and of each feedback.
fn without_marker(s: &str) -> &str {
    let t = s.trim_start();
    for marker in ["[markdown]", "[html]", "[plain]", "[moodle]"] {
        if let Some(rest) = t.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    t
}

fn question(id: &str, jenis: &str, teks: String, penjelasan: String) -> RawQuestion {
    RawQuestion {
        id: id.into(),
        jenis: jenis.into(),
        tujuan: None,
        bagian: None,
        teks,
        penjelasan,
        jawaban: None,
        toleransi: None,
        opsi: Vec::new(),
    }
}

/// One block → a bank question (or why not). `notes` collects changes made on the way.
fn convert(body: &str, notes: &mut Vec<String>) -> Result<(Option<String>, RawQuestion), Failure> {
    let mut rest = body.trim();
    let mut title = None;
    if let Some(after) = rest.strip_prefix("::") {
        let Some(end) = find(after, "::", 0) else {
            return Err((None, "judul ::…:: tidak ditutup".into()));
        };
        title = Some(unescape(after[..end].trim())).filter(|t| !t.is_empty());
        rest = after[end + 2..].trim_start();
    }
    let fail = |m: String| Err((title.clone(), m));
    rest = without_marker(rest);
    let Some(open) = find(rest, "{", 0) else {
        return fail("tidak ada jawaban { … } (deskripsi atau teks biasa); dilewati".into());
    };
    let Some(close) = find(rest, "}", open + 1) else {
        return fail("kurung kurawal { tidak ditutup dengan }".into());
    };
    let (before, inside, after) = (&rest[..open], &rest[open + 1..close], &rest[close + 1..]);
    if find(after, "{", 0).is_some() {
        return fail("lebih dari satu blok jawaban { … } dalam satu soal (cloze) belum didukung; dilewati".into());
    }
    let text = if after.trim().is_empty() {
        unescape(before.trim())
    } else {
        format!("{} _____ {}", unescape(before.trim_end()), unescape(after.trim_start()))
    };
    let text = if text.trim().is_empty() { title.clone().unwrap_or_default() } else { text };
    if text.trim().is_empty() {
        return fail("teks soal kosong".into());
    }
    let (inside, general) = match find(inside, "####", 0) {
        Some(i) => (&inside[..i], unescape(without_marker(inside[i + 4..].trim()))),
        None => (inside, String::new()),
    };
    let t = inside.trim();
    if t.is_empty() {
        return fail("soal esai { } tidak didukung (tidak dapat dinilai otomatis); dilewati".into());
    }
    if let Some(numeric) = t.strip_prefix('#') {
        return numeric_question(numeric, text, general, notes).map(|q| (title.clone(), q)).or_else(fail);
    }
    if find(t, "->", 0).is_some() {
        return fail("soal menjodohkan (->) tidak didukung; dilewati".into());
    }
    let head = split(t, "#");
    let word = head[0].trim().to_uppercase();
    if ["T", "TRUE", "F", "FALSE"].contains(&word.as_str()) {
        // `{TRUE#feedback if wrong#feedback if right}`: each is for one group of participants
        // ("You gave the right answer."), so neither becomes the explanation everyone reads.
        if head[1..].iter().any(|f| !f.trim().is_empty()) {
            notes.push(
                "umpan balik per jawaban pada soal benar/salah tidak didukung; diabaikan (umpan balik umum #### tetap)"
                    .into(),
            );
        }
        let mut q = question("", "benar-salah", text, general.clone());
        q.jawaban = Some(toml::Value::Boolean(word.starts_with('T')));
        return Ok((title, q));
    }
    let list = match answers(t) {
        Ok(list) if !list.is_empty() => list,
        Ok(_) => return fail(format!("jawaban \"{t}\" tidak dikenali (pakai =benar, ~salah, T/F atau #angka)")),
        Err(m) => return fail(m),
    };
    if list.iter().any(|a| a.text.is_empty()) {
        return fail("ada jawaban kosong".into());
    }
    // Only the general feedback is shown to everyone; per-answer feedback is for whoever gave
    // that answer (kept on its option), never merged into the explanation.
    let explanation = |_: &[Answer]| general.clone();
    if list.iter().any(|a| !a.right) {
        // Multiple choice: one `=` is a single choice; none means several correct by weight.
        let rights = list.iter().filter(|a| a.right).count();
        if rights > 1 {
            return fail(format!(
                "pilihan ganda dengan {rights} jawaban '=': pakai satu '=' atau bobot ~%50% untuk beberapa jawaban benar"
            ));
        }
        let weighted = list.iter().any(|a| a.weight.is_some());
        let jenis = if rights == 1 { "pilihan" } else { "pilihan-ganda" };
        if rights == 0 {
            let positive: f64 = list.iter().filter_map(|a| a.weight).filter(|w| *w > 0.0).sum();
            if positive <= 0.0 {
                return fail("pilihan ganda tanpa jawaban benar (tidak ada '=' atau bobot positif)".into());
            }
            if (positive - 100.0).abs() > 0.1 {
                return fail(format!("bobot positif berjumlah {positive}%, seharusnya 100%"));
            }
        }
        let mut q = question("", jenis, text, explanation(&list));
        q.opsi = list
            .iter()
            .map(|a| RawOption {
                teks: a.text.clone(),
                benar: a.right,
                bobot: weighted.then(|| if a.right { a.weight.unwrap_or(100.0) } else { a.weight.unwrap_or(0.0) }),
                umpan_balik: Some(a.feedback.clone()).filter(|f| !f.is_empty()),
            })
            .collect();
        return Ok((title, q));
    }
    // Short answer: every answer starts with `=`; only full-credit ones are kept.
    let full: Vec<&Answer> = list.iter().filter(|a| a.weight.is_none_or(|w| (w - 100.0).abs() < 1e-9)).collect();
    let partial: Vec<String> =
        list.iter().filter(|a| !full.iter().any(|f| std::ptr::eq(*f, *a))).map(|a| a.text.clone()).collect();
    if full.is_empty() {
        return fail("isian tanpa jawaban bernilai 100%".into());
    }
    if !partial.is_empty() {
        notes.push(format!(
            "jawaban isian bernilai sebagian tidak didukung; \"{}\" tidak diterima sebagai jawaban",
            partial.join("\", \"")
        ));
    }
    if list.iter().any(|a| !a.feedback.is_empty()) {
        notes.push("umpan balik per jawaban pada soal isian tidak didukung; diabaikan".into());
    }
    let mut q = question("", "isian", text, explanation(&list));
    q.jawaban = Some(toml::Value::Array(full.iter().map(|a| toml::Value::String(a.text.clone())).collect()));
    Ok((title, q))
}

fn numeric_question(s: &str, text: String, general: String, notes: &mut Vec<String>) -> Result<RawQuestion, String> {
    // `~` starts a wrong answer: `~#Completely wrong` is Moodle's catch-all feedback for any other
    // number. The bank marks every other number wrong anyway, so they only lose their feedback.
    let mut parts = split(s, "~").into_iter();
    let s = parts.next().unwrap_or_default();
    let wrong: Vec<String> = parts.collect();
    if !wrong.is_empty() {
        notes.push(format!(
            "jawaban salah pada soal angka ({}) tidak perlu ditulis: semua angka di luar jawaban benar dinilai salah; \
             umpan baliknya diabaikan",
            wrong.iter().map(|w| format!("~{}", w.trim())).collect::<Vec<_>>().join(" ")
        ));
    }
    let s = s.as_str();
    let items: Vec<(Option<f64>, String, String)> = if find(s, "=", 0).is_some() {
        let parts = split(s, "=");
        if !parts[0].trim().is_empty() {
            return Err(format!("teks \"{}\" sebelum jawaban angka pertama", parts[0].trim()));
        }
        parts[1..]
            .iter()
            .map(|p| {
                let (w, rest) = weight(p)?;
                let f = split(rest, "#");
                Ok((w, f[0].trim().to_string(), unescape(f[1..].join("#").trim())))
            })
            .collect::<Result<_, String>>()?
    } else {
        let f = split(s, "#");
        vec![(None, f[0].trim().to_string(), unescape(f[1..].join("#").trim()))]
    };
    let mut full = Vec::new();
    let mut partial = Vec::new();
    for (w, value, feedback) in &items {
        let Some(parsed) = number(value) else {
            return Err(format!("jawaban angka \"{value}\" tidak terbaca (contoh: 3.14:0.01 atau 1..5)"));
        };
        if w.is_none_or(|w| (w - 100.0).abs() < 1e-9) {
            full.push((parsed, feedback.clone()));
        } else {
            partial.push(value.clone());
        }
    }
    let [((value, tolerance), feedback)] = full.as_slice() else {
        return Err(format!("soal angka perlu tepat satu jawaban bernilai 100%, ditemukan {}; dilewati", full.len()));
    };
    if !partial.is_empty() {
        notes.push(format!("jawaban angka bernilai sebagian tidak didukung; {} diabaikan", partial.join(", ")));
    }
    if !feedback.is_empty() {
        notes.push("umpan balik per jawaban pada soal angka tidak didukung; diabaikan".into());
    }
    let mut q = question("", "angka", text, general);
    q.jawaban = Some(toml::Value::Float(*value));
    q.toleransi = Some(*tolerance);
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{grade, Key, Kind, Response};

    fn import(text: &str) -> GiftImport {
        parse(text, &HashSet::new())
    }

    /// The examples of Moodle's GIFT documentation ("quick examples"), as published.
    const MOODLE_EXAMPLES: &str = r#"// true/false
::Q1:: 1+1=2 {T}

// multiple choice with specified feedback for right and wrong answers
::Q2:: What's between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

// fill-in-the-blank
::Q3:: Two plus {=two =2} equals four.

// matching
::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }

// math range question
::Q5:: What is a number from 1 to 5? {#3:2}

// math range specified with interval end points
::Q6:: What is a number from 1 to 5? {#1..5}
// translated on import to the same as Q5, but unavailable from Moodle question interface

// multiple numeric answers with partial credit and feedback
::Q7:: When was Ulysses S. Grant born? {#
         =1822:0      # Correct! Full credit.
         =%50%1822:2  # He was born in 1822. Half credit for being close.
}

// essay
::Q8:: How are you? {}
"#;

    #[test]
    fn moodles_documented_examples_import_with_their_lines() {
        let g = import(MOODLE_EXAMPLES);
        let ids: Vec<&str> = g.questions.iter().map(|q| q.raw.id.as_str()).collect();
        assert_eq!(ids, ["q1", "q2", "q3", "q5", "q6", "q7"]);
        let q = |id: &str| &g.questions.iter().find(|q| q.raw.id == id).unwrap().question;
        assert_eq!(q("q1").key, Key::TrueFalse(true));
        assert_eq!(q("q1").line, 2);
        assert_eq!(q("q2").kind, Kind::Single);
        assert_eq!(grade(q("q2"), &Response::Choices(vec![0])), 1.0);
        assert_eq!(grade(q("q2"), &Response::Choices(vec![1])), 0.0);
        // Per-answer feedback stays with its answer, for whoever picks it; it is not everyone's
        // explanation.
        assert!(!q("q2").explanation_html.contains("right; good!"));
        let Key::Choices(options) = &q("q2").key else { panic!("a choice question") };
        assert!(options[0].feedback_html.as_deref().unwrap().contains("right; good!"));
        assert!(options[1].feedback_html.as_deref().unwrap().contains("wrong, it's yellow"));
        assert_eq!(q("q3").kind, Kind::Short);
        assert!(q("q3").html.contains("Two plus _____ equals four."));
        assert_eq!(grade(q("q3"), &Response::Text("2".into())), 1.0);
        assert_eq!(grade(q("q3"), &Response::Text("Two".into())), 1.0);
        for id in ["q5", "q6"] {
            assert_eq!(q(id).key, Key::Numeric { value: 3.0, tolerance: 2.0 }, "{id}");
        }
        assert_eq!(q("q7").key, Key::Numeric { value: 1822.0, tolerance: 0.0 });
        let lines: Vec<(usize, bool)> = g.problems.iter().map(|p| (p.line, p.skipped)).collect();
        assert_eq!(lines, [(12, true), (22, false), (22, false), (28, true)], "{:?}", g.problems);
        assert!(g.problems[0].message.contains("\"Q4\"") && g.problems[0].message.contains("menjodohkan"));
        assert!(g.problems[1].message.contains("1822:2"));
        assert!(g.problems[2].message.contains("umpan balik per jawaban"), "the feedback of Q7 is not kept");
        assert!(g.problems[3].message.contains("esai"));
        assert!(g.needs_confirmation());
    }

    #[test]
    fn escapes_comments_categories_and_general_feedback_are_read() {
        let g = import(
            "$CATEGORY: $course$/Modul 2\n\n// komentar\n::Kurung\\: \\{x\\}:: Berapa 1 \\= 1 \\# dan \\~? {\n  =Rp 1\\.000 \\= seribu #benar\n  ~dua\n  ####Lihat modul 2.\\nBagian kas.\n}\n",
        );
        assert_eq!(g.categories, ["$course$/Modul 2"]);
        assert!(g.problems.is_empty(), "{:?}", g.problems);
        let q = &g.questions[0];
        assert_eq!(q.line, 4);
        assert_eq!(q.raw.id, "kurung-x");
        assert_eq!(q.raw.teks, "Berapa 1 = 1 # dan ~?");
        assert_eq!(q.raw.opsi[0].teks, "Rp 1\\.000 = seribu");
        assert_eq!(q.raw.penjelasan, "Lihat modul 2.\nBagian kas.");
    }

    #[test]
    fn weights_make_several_correct_answers_and_must_add_up_to_100() {
        let g = import(
            "::m:: Pilih dua { ~%50%A ~%50%B ~%-100%C ~D }\n\n::bad:: Pilih { ~%50%A ~%30%B ~C }\n\n::p:: Partial { =Nazareth ~%25%Bethlehem ~Jerusalem }\n",
        );
        let m = &g.questions[0].question;
        assert_eq!(m.kind, Kind::Multiple);
        assert_eq!(grade(m, &Response::Choices(vec![0, 1])), 1.0);
        assert_eq!(grade(m, &Response::Choices(vec![0])), 0.5);
        assert_eq!(grade(m, &Response::Choices(vec![0, 1, 2])), 0.0, "a -100% option takes everything");
        assert_eq!(g.problems.len(), 1);
        assert_eq!(g.problems[0].line, 3);
        assert!(g.problems[0].message.contains("berjumlah 80%"), "{}", g.problems[0].message);
        let p = &g.questions[1].question;
        assert_eq!(p.kind, Kind::Single);
        assert_eq!(grade(p, &Response::Choices(vec![1])), 0.25);
        assert_eq!(grade(p, &Response::Choices(vec![0])), 1.0);
    }

    #[test]
    fn malformed_questions_are_named_by_line_and_skipped() {
        let g = import(
            "::a:: Tanpa penutup { =ya ~tidak\n\n::b:: Deskripsi saja.\n\n::c:: Dua benar { =x =y ~z }\n\n::d:: Angka {#abc}\n\n::e:: Bobot {~%150%x =y}\n\n::f:: Baik {=ok}\n",
        );
        let lines: Vec<usize> = g.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [1, 3, 5, 7, 9]);
        assert!(g.problems.iter().all(|p| p.skipped));
        assert!(g.problems[0].message.contains("tidak ditutup"));
        assert!(g.problems[3].message.contains("\"abc\""));
        assert!(g.problems[4].message.contains("%150%"));
        assert_eq!(g.questions.len(), 1);
        assert_eq!(g.skipped(), 5);
    }

    #[test]
    fn ids_avoid_those_already_in_the_bank_and_the_output_is_a_valid_bank() {
        let taken: HashSet<String> = ["q1".to_string()].into();
        let text: String = (0..20)
            .map(|i| format!("::Q1:: Pernyataan {i} benar? {{{}}}\n\n", if i % 2 == 0 { "T" } else { "F" }))
            .collect();
        let g = parse(&text, &taken);
        assert_eq!(g.questions[0].raw.id, "q1-2");
        assert_eq!(g.questions[1].raw.id, "q1-3");
        let bank = crate::quiz::parse_bank(std::path::Path::new("soal.toml"), &g.to_toml()).unwrap();
        assert_eq!(bank.questions.len(), 20);
        assert_eq!(bank.questions[1].key, Key::TrueFalse(false));
    }

    /// CVE-2024-43437 for GIFT: script in a question, an option or its feedback is gone in what
    /// the bank shows, both straight from the import and after the TOML it is saved as.
    #[test]
    fn script_in_an_imported_gift_question_does_not_survive() {
        // Inside braces GIFT needs `=`, `#`, `~` escaped, as Moodle's export writes them.
        let text = r#"::X1:: Apa <script>alert(1)</script> ini? <img src=x onerror=alert(2)>
{ =benar <svg onload\=alert(3)> # <a href\="javascript\:alert(4)">klik</a>
~salah <iframe src\="data\:text/html,<script>alert(5)</script>"></iframe> }

::X2:: <b onmouseover=alert(6)>Koperasi</b> sah? {T#<script>alert(7)</script>}
"#;
        // A bank holds at least 20 questions: plain ones fill it up.
        let text: String = std::iter::once(text.to_string())
            .chain((0..18).map(|i| format!("\n::P{i}:: Pernyataan {i}? {{T}}\n")))
            .collect();
        let g = import(&text);
        assert_eq!(g.questions.len(), 20, "{:?}", g.problems);
        assert!(matches!(&g.questions[0].question.key, Key::Choices(c) if c.len() == 2), "the options are read");
        let bank = crate::quiz::parse_bank(std::path::Path::new("soal.toml"), &g.to_toml()).unwrap();
        let shown = |q: &crate::quiz::Question| {
            let mut html = vec![q.html.clone(), q.explanation_html.clone()];
            if let Key::Choices(options) = &q.key {
                html.extend(options.iter().map(|o| o.html.clone()));
            }
            html.join("\n").to_lowercase()
        };
        let all: Vec<String> =
            g.questions.iter().map(|q| shown(&q.question)).chain(bank.questions.iter().map(shown)).collect();
        for html in &all {
            for bad in ["<script", "onerror", "onload", "onmouseover", "javascript:", "<iframe", "<svg"] {
                assert!(!html.contains(bad), "{bad} survived in {html}");
            }
        }
        assert!(all[0].contains("apa") && all[0].contains("ini?"), "the text around it stays: {}", all[0]);
        assert!(all[1].contains("koperasi"), "{}", all[1]);
    }

    #[test]
    fn a_numeric_answer_with_moodles_catch_all_feedback_is_read_as_its_number() {
        let g = import("::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}");
        assert_eq!(g.questions.len(), 1, "{:?}", g.problems);
        assert_eq!(g.questions[0].question.key, Key::Numeric { value: 3.0, tolerance: 2.0 });
        assert!(g.problems.iter().all(|p| !p.skipped));
        assert!(g.problems.iter().any(|p| p.message.contains("~#Completely wrong")), "{:?}", g.problems);
    }

    #[test]
    fn format_markers_are_dropped_from_options_and_feedback_too() {
        let g = import(
            "::M:: [html]Pilih satu {\n=[html]<b>Kas</b> #[markdown]Benar\n~[plain]Bank\n####[markdown]Lihat modul.\n}",
        );
        assert_eq!(g.questions.len(), 1, "{:?}", g.problems);
        let q = &g.questions[0];
        let all = format!("{} {:?} {}", q.question.html, q.question.key, q.question.explanation_html);
        for marker in ["[html]", "[plain]", "[markdown]"] {
            assert!(!all.contains(marker), "{marker} left in: {all}");
        }
        assert!(q.question.explanation_html.contains("Lihat modul."));
    }

    #[test]
    fn true_false_feedback_for_one_answer_is_not_the_explanation_for_everyone() {
        let g = import("::TF:: Koperasi berbadan hukum. {TRUE#Coba lagi.#You gave the right answer.}");
        let q = &g.questions[0];
        assert!(!q.question.explanation_html.contains("right answer"), "{}", q.question.explanation_html);
        assert!(!q.question.explanation_html.contains("Coba lagi"));
        assert!(g.problems.iter().any(|p| !p.skipped && p.message.contains("umpan balik")));
    }

    #[test]
    fn old_mac_and_windows_line_endings_split_questions_like_unix_ones() {
        for eol in ["\r", "\r\n", "\n"] {
            let text = format!("::A:: Satu? {{T}}{eol}{eol}// komentar{eol}::B:: Dua? {{F}}{eol}");
            let g = import(&text);
            let found: Vec<(String, usize)> = g.questions.iter().map(|q| (q.raw.id.clone(), q.line)).collect();
            assert_eq!(found, [("a".to_string(), 1), ("b".to_string(), 4)], "{eol:?}");
        }
    }

    #[test]
    fn a_file_uploaded_twice_adds_nothing_the_second_time() {
        let text = "::A:: Satu? {T}\n\n::B:: Pilih {=x ~y}\n\n::B2:: Pilih {=x ~y}\n";
        let mut first = import(text);
        first.drop_duplicates(&HashMap::new());
        assert_eq!(first.questions.len(), 2, "the repeat inside the file is left out too");
        let bank: HashMap<String, String> =
            first.questions.iter().map(|q| (crate::quiz::fingerprint(&q.question), q.raw.id.clone())).collect();
        let mut again = import(text);
        again.drop_duplicates(&bank);
        assert!(again.questions.is_empty());
        assert_eq!(again.skipped(), 3);
        assert!(again.problems.iter().all(|p| p.message.contains("sudah ada")));
    }
}
