//! Checks that a question bank can measure learning, run by `diklat content check` and at
//! start-up beside the per-question checks of `quiz::parse_bank`. Each problem names
//! `soal.toml:LINE`.
//!
//! - every question is tagged with the objective it measures (`tujuan`, 1-based index of the
//!   module's `objectives`) and the `##` section it comes from (`bagian`, a heading's anchor);
//!   every objective is measured by at least [`MIN_PER_OBJECTIVE`] questions;
//! - the correct option is not systematically the longest: among the choice questions, the
//!   number whose correct option is strictly the longest must not exceed what chance gives — a
//!   one-sided test against 1/k per question (Poisson binomial, exact) at p < 0.05;
//! - correct positions are not lopsided (a chi-square test over the `pilihan` questions with the
//!   most common number of options, p < 0.05), and true/false keys not one-sided (binomial);
//! - a strategy that knows nothing — always the longest option, always the same position — scores
//!   no more than [`MAX_STRATEGY_ADVANTAGE`] points above blind guessing, over every question kind;
//! - no two stems are the same or nearly the same (word-set similarity ≥ [`NEAR_DUPLICATE`]);
//! - the pool lets the pre-test and the post-test be drawn without overlap, spread over the
//!   objectives (see `services::quizzes::draw_form`).

use crate::{
    content_error::ContentError,
    quiz::{Bank, Key, Kind},
};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Fewest questions per objective.
pub const MIN_PER_OBJECTIVE: usize = 3;
/// Points (of 100) a knowledge-free strategy may score above blind guessing.
pub const MAX_STRATEGY_ADVANTAGE: f64 = 5.0;
/// Word-set (Jaccard) similarity from which two stems count as the same question.
pub const NEAR_DUPLICATE: f64 = 0.8;
const SIGNIFICANCE: f64 = 0.05;

/// What a bank is checked against: its module's objectives and section anchors, and the sizes
/// of the pre-test and post-test drawn from it.
pub struct Context<'a> {
    pub objectives: usize,
    pub anchors: &'a HashSet<String>,
    pub pre_count: usize,
    pub post_count: usize,
}

/// The bank's problems (errors), in line order.
pub fn check(path: &Path, bank: &Bank, ctx: &Context) -> Vec<ContentError> {
    check_with(path, bank, ctx, true)
}

/// What the bank measures, without the tag checks: the checks an upload of untagged questions
/// (GIFT) is held to on the combined bank. Untagged questions are listed on the bank page instead.
pub fn check_measurement(path: &Path, bank: &Bank, ctx: &Context) -> Vec<ContentError> {
    check_with(path, bank, ctx, false)
}

fn check_with(path: &Path, bank: &Bank, ctx: &Context, tags: bool) -> Vec<ContentError> {
    let mut out = Vec::new();
    let err = |line: usize, message: String| ContentError { file: path.to_path_buf(), line, message };
    let first_line = bank.questions.first().map_or(1, |q| q.line);

    // Tags.
    let mut per_objective: BTreeMap<u32, usize> = BTreeMap::new();
    for q in bank.questions.iter().filter(|q| tags || (q.objective.is_some() && q.section.is_some())) {
        match q.objective {
            None => out.push(err(q.line, format!("soal `{}`: tidak ada `tujuan` (tujuan modul yang diukurnya)", q.id))),
            Some(o) if o == 0 || o as usize > ctx.objectives => out.push(err(
                q.line,
                format!("soal `{}`: `tujuan = {o}`, padahal modul ini punya {} tujuan", q.id, ctx.objectives),
            )),
            Some(o) => *per_objective.entry(o).or_default() += 1,
        }
        match &q.section {
            None => {
                out.push(err(q.line, format!("soal `{}`: tidak ada `bagian` (bagian `##` modul asal soalnya)", q.id)))
            }
            Some(s) if !ctx.anchors.contains(s) => {
                out.push(err(q.line, format!("soal `{}`: `bagian = \"{s}\"` bukan bagian `##` modul ini", q.id)))
            }
            Some(_) => {}
        }
    }
    for o in (1..=ctx.objectives as u32).filter(|_| tags) {
        let n = per_objective.get(&o).copied().unwrap_or(0);
        if n < MIN_PER_OBJECTIVE {
            out.push(err(
                first_line,
                format!("tujuan {o} hanya diukur {n} soal; perlu sedikitnya {MIN_PER_OBJECTIVE}"),
            ));
        }
    }

    // The longest option.
    let choice: Vec<&crate::quiz::Question> =
        bank.questions.iter().filter(|q| matches!(q.kind, Kind::Single | Kind::Multiple)).collect();
    let mut chances = Vec::new();
    let mut longest_correct = Vec::new();
    for q in &choice {
        let Key::Choices(options) = &q.key else { continue };
        let k = options.len().max(1);
        chances.push(options.iter().filter(|o| o.correct).count() as f64 / k as f64);
        if let Some(i) = strictly_longest(&q.option_texts) {
            if options.get(i).is_some_and(|o| o.correct) {
                longest_correct.push(q.id.as_str());
            }
        }
    }
    let p = upper_tail(&chances, longest_correct.len());
    if p < SIGNIFICANCE {
        out.push(err(
            first_line,
            format!(
                "jawaban benar adalah pilihan terpanjang pada {} dari {} soal pilihan (p = {p:.3} terhadap peluang \
                 acak); buat pengecoh sepanjang dan setepat kuncinya: {}",
                longest_correct.len(),
                chances.len(),
                longest_correct.join(", ")
            ),
        ));
    }

    // Positions of the correct option in `pilihan` questions with the usual number of options.
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for q in bank.questions.iter().filter(|q| q.kind == Kind::Single) {
        if let Key::Choices(o) = &q.key {
            *sizes.entry(o.len()).or_default() += 1;
        }
    }
    if let Some((&k, _)) = sizes.iter().max_by_key(|(_, n)| **n) {
        let mut counts = vec![0usize; k];
        for q in bank.questions.iter().filter(|q| q.kind == Kind::Single) {
            if let Key::Choices(o) = &q.key {
                if o.len() == k {
                    if let Some(i) = o.iter().position(|c| c.correct) {
                        counts[i] += 1;
                    }
                }
            }
        }
        let n: usize = counts.iter().sum();
        if n >= 2 * k && chi_square_p(&counts) < SIGNIFICANCE {
            out.push(err(first_line, format!("posisi jawaban benar tidak seimbang: {counts:?} pada {n} soal")));
        }
    }
    let tf: Vec<bool> = bank
        .questions
        .iter()
        .filter_map(|q| match q.key {
            Key::TrueFalse(b) => Some(b),
            _ => None,
        })
        .collect();
    let trues = tf.iter().filter(|b| **b).count();
    let halves = vec![0.5; tf.len()];
    if tf.len() >= 4
        && (upper_tail(&halves, trues) < SIGNIFICANCE || upper_tail(&halves, tf.len() - trues) < SIGNIFICANCE)
    {
        out.push(err(first_line, format!("kunci benar/salah berat sebelah: {trues} benar dari {}", tf.len())));
    }

    // Strategies that know nothing.
    let (blind, strategies) = strategy_scores(bank);
    for (name, score) in strategies {
        if score - blind > MAX_STRATEGY_ADVANTAGE {
            out.push(err(
                first_line,
                format!(
                    "peserta yang {name} mendapat {score:.1}, sedangkan menebak asal {blind:.1}: lebih dari \
                     {MAX_STRATEGY_ADVANTAGE} poin di atasnya"
                ),
            ));
        }
    }

    // Near-duplicate stems.
    let words: Vec<HashSet<String>> = bank.questions.iter().map(|q| word_set(&q.stem)).collect();
    for i in 0..words.len() {
        for j in i + 1..words.len() {
            let s = jaccard(&words[i], &words[j]);
            if s >= NEAR_DUPLICATE {
                let (a, b) = (&bank.questions[i], &bank.questions[j]);
                out.push(err(
                    b.line,
                    format!(
                        "soal `{}` menanyakan hal yang sama dengan soal `{}`{} (kemiripan {s:.2})",
                        b.id,
                        a.id,
                        where_(a.line)
                    ),
                ));
            }
        }
    }

    // The pool: a pre-test and a post-test without overlap, each spread over the objectives.
    let need = ctx.pre_count + ctx.post_count;
    if bank.questions.len() < need {
        out.push(err(
            first_line,
            format!(
                "{} soal tidak cukup untuk tes awal {} soal dan tes akhir {} soal tanpa mengulang soal",
                bank.questions.len(),
                ctx.pre_count,
                ctx.post_count
            ),
        ));
    } else if ctx.objectives > 0 {
        let per_form = |n: usize| n.div_ceil(ctx.objectives);
        let want = per_form(ctx.pre_count) + per_form(ctx.post_count);
        for o in 1..=ctx.objectives as u32 {
            let n = per_objective.get(&o).copied().unwrap_or(0);
            if n >= MIN_PER_OBJECTIVE && n < want {
                out.push(err(
                    first_line,
                    format!(
                        "tujuan {o} punya {n} soal; perlu {want} untuk tes awal dan tes akhir paralel \
                         ({} dan {} soal atas {} tujuan)",
                        ctx.pre_count, ctx.post_count, ctx.objectives
                    ),
                ));
            }
        }
    }
    out
}

/// The index of the option strictly longer (in characters) than every other, if any.
fn strictly_longest(options: &[String]) -> Option<usize> {
    let lengths: Vec<usize> = options.iter().map(|o| o.trim().chars().count()).collect();
    let max = *lengths.iter().max()?;
    let mut at = lengths.iter().enumerate().filter(|(_, l)| **l == max);
    let (i, _) = at.next()?;
    at.next().is_none().then_some(i)
}

/// P(X ≥ observed) for X the number of successes of independent trials with `chances`
/// (Poisson binomial, exact by dynamic programming).
pub fn upper_tail(chances: &[f64], observed: usize) -> f64 {
    let mut dist = vec![1.0];
    for &p in chances {
        let mut next = vec![0.0; dist.len() + 1];
        for (k, v) in dist.iter().enumerate() {
            next[k] += v * (1.0 - p);
            next[k + 1] += v * p;
        }
        dist = next;
    }
    dist.iter().skip(observed).sum::<f64>().min(1.0)
}

/// The p-value of a chi-square test of `counts` against equal shares.
pub fn chi_square_p(counts: &[usize]) -> f64 {
    let n: usize = counts.iter().sum();
    let k = counts.len();
    if n == 0 || k < 2 {
        return 1.0;
    }
    let expected = n as f64 / k as f64;
    let x2: f64 = counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum();
    chi_square_upper(x2, (k - 1) as f64)
}

/// P(χ²(df) ≥ x), through the regularised upper incomplete gamma function.
fn chi_square_upper(x: f64, df: f64) -> f64 {
    upper_gamma(df / 2.0, x / 2.0)
}

/// Q(a, x) = Γ(a, x) / Γ(a): series for x < a + 1, continued fraction otherwise (Numerical
/// Recipes' method), accurate to well below what a 0.05 threshold needs.
fn upper_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_gamma_a = ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..500 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-14 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - ln_gamma_a).exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..500 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-14 {
                break;
            }
        }
        (-x + a * x.ln() - ln_gamma_a).exp() * h
    }
}

/// ln Γ(x) (Lanczos).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 6] = [
        76.180_091_729_471_46,
        -86.505_320_329_416_77,
        24.014_098_240_830_91,
        -1.231_739_572_450_155,
        0.001_208_650_973_866_179,
        -0.000_005_395_239_384_953,
    ];
    let mut y = x;
    let tmp = x + 5.5 - (x + 0.5) * (x + 5.5).ln();
    let mut ser = 1.000_000_000_190_015;
    for g in G {
        y += 1.0;
        ser += g / y;
    }
    -tmp + (2.506_628_274_631_000_5 * ser / x).ln()
}

/// The credit of ticking option `i` alone.
fn single_tick(options: &[crate::quiz::Choice], i: usize) -> f64 {
    let o = &options[i];
    match o.weight {
        Some(w) => w.max(0.0),
        None => {
            let k = options.iter().filter(|c| c.correct).count().max(1);
            if o.correct {
                1.0 / k as f64
            } else {
                0.0
            }
        }
    }
}

/// Mean scores (0–100) over the bank: blind guessing (one option at random, true or false at
/// random, nothing typed), and each knowledge-free strategy by name.
pub fn strategy_scores(bank: &Bank) -> (f64, Vec<(String, f64)>) {
    let n = bank.questions.len().max(1) as f64;
    let mut blind = 0.0;
    let mut longest = 0.0;
    let max_options = bank
        .questions
        .iter()
        .filter_map(|q| match &q.key {
            Key::Choices(o) => Some(o.len()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut position = vec![0.0; max_options];
    let (mut always_true, mut always_false) = (0.0, 0.0);
    for q in &bank.questions {
        match &q.key {
            Key::Choices(options) if !options.is_empty() => {
                blind += (0..options.len()).map(|i| single_tick(options, i)).sum::<f64>() / options.len() as f64;
                // The longest option (the first of equals), as a test-wise guesser picks it.
                let lengths: Vec<usize> = q.option_texts.iter().map(|t| t.trim().chars().count()).collect();
                let pick = (0..options.len()).max_by_key(|i| (lengths.get(*i).copied().unwrap_or(0), usize::MAX - i));
                longest += pick.map_or(0.0, |i| single_tick(options, i));
                for (p, total) in position.iter_mut().enumerate() {
                    // Past the last option, the last one.
                    *total += single_tick(options, p.min(options.len() - 1));
                }
                // Choice questions answer the true/false strategies like blind guessing.
                let mean = (0..options.len()).map(|i| single_tick(options, i)).sum::<f64>() / options.len() as f64;
                always_true += mean;
                always_false += mean;
            }
            Key::TrueFalse(b) => {
                blind += 0.5;
                longest += 0.5;
                for total in position.iter_mut() {
                    *total += 0.5;
                }
                always_true += f64::from(u8::from(*b));
                always_false += f64::from(u8::from(!*b));
            }
            _ => {}
        }
    }
    let scale = |v: f64| v / n * 100.0;
    let mut strategies = vec![("selalu memilih pilihan terpanjang".to_string(), scale(longest))];
    for (p, total) in position.into_iter().enumerate() {
        strategies.push((format!("selalu memilih pilihan ke-{}", p + 1), scale(total)));
    }
    strategies.push(("selalu menjawab benar".to_string(), scale(always_true)));
    strategies.push(("selalu menjawab salah".to_string(), scale(always_false)));
    (scale(blind), strategies)
}

/// " (baris N)" for a question of the bank file; nothing for one imported into the database.
fn where_(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" (baris {line})")
    }
}

/// A stem's words, lower-case and with accents folded ("é" reads as "e"), so a stem retyped with
/// accented letters is still the same question.
fn word_set(text: &str) -> HashSet<String> {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let folded: String = text.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    folded
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(str::to_string)
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_of_the_binomial_matches_known_values() {
        // Bin(24, 1/4): P(X ≥ 10) ≈ 0.0547, P(X ≥ 11) ≈ 0.0213.
        let quarter = vec![0.25; 24];
        assert!((upper_tail(&quarter, 10) - 0.0547).abs() < 0.001, "{}", upper_tail(&quarter, 10));
        assert!((upper_tail(&quarter, 11) - 0.0213).abs() < 0.001);
        assert_eq!(upper_tail(&quarter, 0), 1.0);
    }

    #[test]
    fn the_chi_square_test_matches_known_values() {
        // χ² = 7.815 is the 0.05 point at 3 degrees of freedom.
        assert!((chi_square_upper(7.815, 3.0) - 0.05).abs() < 0.001);
        assert!((chi_square_upper(3.841, 1.0) - 0.05).abs() < 0.001);
        assert!(chi_square_p(&[6, 6, 6, 6]) > 0.99);
        assert!(chi_square_p(&[18, 2, 2, 2]) < 0.001);
    }

    #[test]
    fn near_duplicate_stems_are_measured_on_their_words() {
        let a = word_set("Berapa harga jual beras bila HPP Rp10.000 dan markup 20%?");
        let b = word_set("Berapa harga jual beras bila HPP Rp10.000 dan markup 20 %?");
        assert!(jaccard(&a, &b) >= NEAR_DUPLICATE);
        let c = word_set("Siapa yang berwenang mengesahkan laporan pertanggungjawaban pengurus?");
        assert!(jaccard(&a, &c) < 0.2);
        let accented = word_set("Bérapa hargá jual bèras bila HPP Rp10.000 dan markup 20%?");
        assert_eq!(accented, a, "accents are folded");
    }
}
