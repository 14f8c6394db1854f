//! Pre-test and post-test pages: the overview with the start button, and the attempt — a form
//! while in progress (saving and submitting work without JavaScript), a review once submitted.

use crate::components::autosave::{QuizAutosave, QUIZ_FORM_ID};
use crate::{
    api::take_flash,
    app::use_lang,
    components::status::{or_error, FlashNotice},
    i18n::Lang,
    quiz_api::{get_attempt, get_quiz_overview, QuestionView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use types::Phase;

/// A score with one decimal, written the way the page's language writes numbers ("54,6" / "54.6").
fn score_text(score: Option<f64>, lang: Lang) -> String {
    score.map(|s| crate::i18n::decimal(s, lang)).unwrap_or_else(|| "—".into())
}

/// A gain with its sign ("+60,0", "-2,5"), written the way the page's language writes numbers.
fn signed(gain: Option<f64>, lang: Lang) -> String {
    gain.map(|g| format!("{}{}", if g >= 0.0 { "+" } else { "" }, crate::i18n::decimal(g, lang)))
        .unwrap_or_else(|| "—".into())
}

fn gain_text(gain: f64, lang: Lang) -> String {
    format!(
        "{}: {}{} {}",
        lang.pick("Peningkatan belajar", "Learning gain"),
        if gain >= 0.0 { "+" } else { "" },
        crate::i18n::decimal(gain, lang),
        lang.pick("poin", "points")
    )
}

/// `/kuis/{slug}/{awal|akhir}`.
#[component]
pub fn QuizPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let args = move || {
        let p = params.read();
        (p.get("slug").unwrap_or_default(), p.get("fase").unwrap_or_default())
    };
    let overview = Resource::new(args, |(slug, phase)| get_quiz_overview(slug, phase));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(overview.await.map(|o| view! {
                    <Title text=format!("{} — {}", lang.label(o.phase), o.module_title)/>
                    <nav class="breadcrumb no-print"><a href=format!("/modul/{}", o.slug)>{o.module_title.clone()}</a></nav>
                    <h1>{lang.label(o.phase)}</h1>
                    <FlashNotice flash=flash/>
                    {o.window.clone().map(|w| view! { <p class=if o.window_closed { "notice notice-error" } else { "notice" } role="status" data-testid="window">{w}</p> })}
                    <ul class="facts-list">
                        <li>{format!("{} {}", o.question_count, lang.pick("soal, diacak dari bank soal modul", "questions drawn from the module's bank"))}</li>
                        {if o.phase == Phase::Pre {
                            view! { <li data-testid="pre-no-pass">{lang.pick("Tes awal tidak dinilai lulus atau tidak lulus: nilainya menunjukkan titik awal Anda, dan soal-soalnya tidak muncul lagi di tes akhir.", "The pre-test is not passed or failed: its score shows where you start, and its questions do not come back in the post-test.")}</li> }.into_any()
                        } else {
                            view! { <li>{format!("{} {}", lang.pick("Nilai lulus", "Pass mark"), o.pass_mark)}</li> }.into_any()
                        }}
                        <li>{format!("{} {}", lang.pick("Kesempatan", "Attempts allowed"), o.max_attempts)}</li>
                        <li>{match o.time_limit_minutes { Some(m) => format!("{} {m} {}", lang.pick("Batas waktu", "Time limit"), lang.pick("menit", "minutes")), None => lang.pick("Tanpa batas waktu", "No time limit").to_string() }}</li>
                        {(!o.show_review).then(|| view! { <li data-testid="no-review">{lang.pick("Pembahasan soal tidak ditampilkan setelah dikumpulkan; Anda melihat nilai dan status lulus.", "The review is not shown after submission; you see your score and whether you passed.")}</li> })}
                        <li>{format!("{}: {}", lang.pick("Nilai yang dihitung", "Grade counted"), match o.grading.as_str() { "last" => lang.pick("percobaan terakhir", "last attempt"), "first" => lang.pick("percobaan pertama", "first attempt"), "average" => lang.pick("rata-rata", "average"), _ => lang.pick("tertinggi", "highest") })}</li>
                    </ul>
                    {o.final_score.map(|s| view! { <p class="lead" data-testid="final-score">{format!("{} {}", lang.pick("Nilai Anda:", "Your grade:"), crate::i18n::decimal(s, lang))}</p> })}
                    {o.gain.map(|g| view! { <p class="lead" data-testid="gain">{gain_text(g, lang)}</p> })}
                    {match (o.in_progress, o.can_start) {
                        (Some(id), _) => view! { <p><a class="button" href=format!("/percobaan/{id}")>{lang.pick("Lanjutkan mengerjakan", "Continue the attempt")}</a></p> }.into_any(),
                        (None, true) => view! {
                            <form method="post" action="/kuis/mulai">
                                <input type="hidden" name="slug" value=o.slug.clone()/>
                                <input type="hidden" name="fase" value=o.phase.slug()/>
                                <button type="submit" class="button">{lang.pick("Mulai mengerjakan", "Start")}</button>
                            </form>
                        }.into_any(),
                        (None, false) if o.window_closed => ().into_any(),
                        (None, false) => view! { <p class="empty">{lang.pick("Kesempatan mengerjakan sudah habis.", "No attempts left.")}</p> }.into_any(),
                    }}
                    {o.can_configure.then(|| view! {
                        <details class="card no-print" data-testid="settings">
                            <summary>{lang.pick("Pengaturan kuis (admin, panitia pusat)", "Quiz settings (admin, national panitia)")}</summary>
                            <p><a href=format!("/bank-soal/{}", o.slug)>{format!("{} ({} {})", lang.pick("Bank soal modul ini", "This module's question bank"), o.bank_size, lang.pick("soal", "questions"))}</a></p>
                            <form method="post" action="/kuis/pengaturan" class="stack">
                                <input type="hidden" name="slug" value=o.slug.clone()/>
                                <input type="hidden" name="fase" value=o.phase.slug()/>
                                <div class="row">
                                    <label>{format!("{} (1–{})", lang.pick("Jumlah soal", "Questions"), o.bank_size)}<input type="number" name="jumlah" min="1" max=o.bank_size value=o.question_count required/></label>
                                    <label>{lang.pick("Nilai lulus", "Pass mark")}<input type="number" name="lulus" min="0" max="100" value=o.pass_mark required/></label>
                                    <label>{lang.pick("Kesempatan", "Attempts")}<input type="number" name="kesempatan" min="1" max="10" value=o.max_attempts required/></label>
                                    <label>{lang.pick("Batas waktu (menit, kosong = tanpa)", "Time limit (minutes, empty = none)")}<input type="number" name="waktu" min="0" max="600" value=o.time_limit_minutes.map(|m| m.to_string()).unwrap_or_default()/></label>
                                </div>
                                <label>{lang.pick("Nilai yang dihitung", "Grade counted")}
                                    <select name="metode">
                                        {[("highest", lang.pick("tertinggi", "highest")), ("last", lang.pick("terakhir", "last")), ("first", lang.pick("pertama", "first")), ("average", lang.pick("rata-rata", "average"))]
                                            .into_iter().map(|(v, l)| view! { <option value=v selected=o.grading == v>{l}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label class="inline"><input type="checkbox" name="acak_soal" checked=o.shuffle_questions/>" "{lang.pick("Acak urutan soal", "Shuffle questions")}</label>
                                <label class="inline"><input type="checkbox" name="acak_opsi" checked=o.shuffle_options/>" "{lang.pick("Acak urutan pilihan", "Shuffle options")}</label>
                                <label class="inline"><input type="checkbox" name="pembahasan" checked=o.show_review/>" "{lang.pick("Tampilkan pembahasan (jawaban benar dan penjelasan) setelah dikumpulkan", "Show the review (correct answers and explanations) after submission")}</label>
                                <button type="submit" class="button">{lang.pick("Simpan pengaturan", "Save settings")}</button>
                            </form>
                        </details>
                    })}
                    {(!o.attempts.is_empty()).then(|| view! {
                        <h2>{lang.pick("Percobaan Anda", "Your attempts")}</h2>
                        <div class="table-wrap">
                            <table class="data" data-testid="attempts">
                                <thead><tr><th>"#"</th><th>{lang.pick("Mulai", "Started")}</th><th>{lang.pick("Status", "Status")}</th><th class="num">{lang.pick("Nilai", "Score")}</th></tr></thead>
                                <tbody>
                                    {o.attempts.into_iter().map(|a| view! {
                                        <tr>
                                            <td><a href=format!("/percobaan/{}", a.id)>{a.no}</a></td>
                                            <td>{a.started}</td>
                                            <td>{lang.label(a.status)}{a.passed.filter(|_| o.phase == Phase::Post).map(|p| if p { lang.pick(" · lulus", " · passed") } else { lang.pick(" · belum lulus", " · not passed") })}</td>
                                            <td class="num">{score_text(a.score, lang)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    })}
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// Questions on one page of an attempt.
const PER_PAGE: usize = 5;

fn is_answered(q: &QuestionView) -> bool {
    q.options.iter().any(|o| o.chosen) || q.true_false.is_some() || !q.text.trim().is_empty()
}

fn question_input(q: &QuestionView, n: usize, lang: Lang, open: bool) -> impl IntoView {
    let name = format!("q{}", q.id);
    let body = match q.kind.as_str() {
        "single" | "multiple" => {
            let multiple = q.kind == "multiple";
            q.options
                .iter()
                .map(|o| {
                    let class = match o.correct {
                        Some(true) => "option correct",
                        Some(false) if o.chosen => "option wrong",
                        _ => "option",
                    };
                    view! {
                        <label class=class>
                            <input type=if multiple { "checkbox" } else { "radio" } name=name.clone() value=o.index checked=o.chosen disabled=!open/>
                            <span inner_html=o.html.clone()></span>
                        </label>
                    }
                })
                .collect_view()
                .into_any()
        }
        "true_false" => view! {
            <label class="option"><input type="radio" name=name.clone() value="benar" checked=q.true_false == Some(true) disabled=!open/>" "{lang.pick("Benar", "True")}</label>
            <label class="option"><input type="radio" name=name.clone() value="salah" checked=q.true_false == Some(false) disabled=!open/>" "{lang.pick("Salah", "False")}</label>
        }
        .into_any(),
        _ => view! {
            <label class="option">{lang.pick("Jawaban", "Answer")}
                <input name=name.clone() value=q.text.clone() maxlength="500" disabled=!open inputmode=if q.kind == "numeric" { "decimal" } else { "text" } autocomplete="off"/>
            </label>
        }
        .into_any(),
    };
    view! {
        <fieldset class="question" data-question=q.id>
            <legend>{format!("{} {n}", lang.pick("Soal", "Question"))}{(q.kind == "multiple").then(|| lang.pick(" (pilih semua yang benar)", " (choose all that apply)"))}</legend>
            <input type="hidden" name="d" value=q.id/>
            <div class="prose" inner_html=q.html.clone()></div>
            {body}
            {q.review.clone().map(|(fraction, explanation, correct)| view! {
                <div class="review" data-testid="review">
                    <p><strong>{format!("{} {:.0}%", lang.pick("Nilai soal ini:", "Credit:"), fraction * 100.0)}</strong>
                        {(!correct.is_empty()).then(|| view! { " · "{lang.pick("Jawaban benar: ", "Correct answer: ")}<strong>{correct}</strong> })}
                    </p>
                    <div class="prose explanation" inner_html=explanation></div>
                </div>
            })}
        </fieldset>
    }
}

/// `/percobaan/{id}`.
#[component]
pub fn AttemptPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0);
    let query = crate::query::use_query_map();
    let page = move || query.read().get("hal").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
    let just_submitted = move || query.read().get("terkumpul").is_some();
    let attempt = Resource::new(id, get_attempt);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(attempt.await.map(|a| {
                    let open = a.status.is_open();
                    // While in progress: PER_PAGE questions a page; the review shows them all.
                    let pages = if open { a.questions.len().div_ceil(PER_PAGE).max(1) } else { 1 };
                    let page = page().clamp(1, pages);
                    let answered = a.questions.iter().filter(|q| is_answered(q)).count();
                    let total = a.questions.len();
                    let unanswered_pages: Vec<usize> = (1..=pages)
                        .filter(|p| a.questions.iter().skip((p - 1) * PER_PAGE).take(PER_PAGE).any(|q| !is_answered(q)))
                        .collect();
                    let questions = a
                        .questions
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !open || i / PER_PAGE + 1 == page)
                        .map(|(i, q)| question_input(q, i + 1, lang, open))
                        .collect_view();
                    view! {
                        <Title text=format!("{} — {}", lang.label(a.phase), a.module_title)/>
                        <nav class="breadcrumb no-print"><a href=format!("/kuis/{}/{}", a.slug, a.phase.slug())>{format!("{} — {}", lang.label(a.phase), a.module_title)}</a></nav>
                        <h1>{format!("{} {} {}", lang.label(a.phase), lang.pick("· percobaan", "· attempt"), a.no)}</h1>
                        <FlashNotice flash=flash/>
                        {(just_submitted() && a.status == types::AttemptStatus::Submitted).then(|| view! {
                            <div class="notice notice-ok" role="status" data-testid="flash">{format!("{} {}.", lang.pick("Terkumpul. Nilai Anda", "Submitted. Your score is"), score_text(a.score, lang))}</div>
                        })}
                        {a.deadline.clone().map(|(at, left)| view! { <p class="notice" data-testid="deadline">{format!("{} {at} WIB ({} {} {})", lang.pick("Batas waktu", "Time limit"), lang.pick("sisa", "left:"), left / 60, lang.pick("menit", "min"))}</p> })}
                        {(!open).then(|| view! {
                            <section class="card result" data-testid="result">
                                {if a.phase == Phase::Pre {
                                    view! {
                                        <p class="lead">{format!("{} {}", lang.pick("Nilai tes awal:", "Pre-test score:"), score_text(a.score, lang))}</p>
                                        <p data-testid="pre-no-pass">{lang.pick("Tes awal tidak dinilai lulus atau tidak lulus.", "A pre-test is not passed or failed.")}</p>
                                        {(!a.study.is_empty()).then(|| view! {
                                            <div data-testid="study">
                                                <p>{lang.pick("Pelajari terutama tujuan modul berikut sebelum sesinya:", "Study these objectives of the module before its sessions:")}</p>
                                                <ul>{a.study.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}</ul>
                                            </div>
                                        })}
                                    }.into_any()
                                } else {
                                    view! {
                                        <p class="lead">{format!("{} {}", lang.pick("Nilai:", "Score:"), score_text(a.score, lang))}" · "
                                            {if a.passed == Some(true) { lang.pick("LULUS", "PASSED") } else { lang.pick("BELUM LULUS", "NOT PASSED") }}
                                            {format!(" ({} {})", lang.pick("nilai lulus", "pass mark"), a.pass_mark)}
                                        </p>
                                    }.into_any()
                                }}
                                {a.gain.map(|g| view! { <p data-testid="gain">{gain_text(g, lang)}</p> })}
                                {a.questions.iter().all(|q| q.review.is_none()).then(|| view! {
                                    <p class="muted" data-testid="no-review">{if a.phase == Phase::Pre {
                                        lang.pick("Kunci jawaban tes awal tidak ditampilkan.", "The pre-test's key is not shown.")
                                    } else {
                                        lang.pick("Pembahasan ditampilkan setelah Anda lulus atau memakai kesempatan terakhir.", "The review is shown once you pass or have used your last attempt.")
                                    }}</p>
                                })}
                                <p><a href=format!("/kuis/{}/{}", a.slug, a.phase.slug())>{lang.pick("‹ Kembali", "‹ Back")}</a>" · "<a href=format!("/modul/{}", a.slug)>{lang.pick("Baca modul", "Read the module")}</a></p>
                            </section>
                        })}
                        {open.then(|| view! {
                            <p class="muted" data-testid="answered">{format!(
                                "{} {page} {} {pages} · {} {answered} {} {total}",
                                lang.pick("Halaman", "Page"), lang.pick("dari", "of"),
                                lang.pick("terjawab", "answered"), lang.pick("dari", "of")
                            )}</p>
                        })}
                        <form method="post" action="/kuis/jawab" class="quiz" data-testid="quiz-form" id=QUIZ_FORM_ID>
                            <input type="hidden" name="percobaan" value=a.id/>
                            <input type="hidden" name="hal" value=page/>
                            {questions}
                            {open.then(|| view! {
                                {(pages > 1).then(|| view! {
                                    <nav class="pager" aria-label=lang.pick("Halaman soal", "Question pages")>
                                        {(page > 1).then(|| view! { <button type="submit" name="aksi" value=format!("hal-{}", page - 1) class="button secondary">{lang.pick("‹ Sebelumnya", "‹ Previous")}</button> })}
                                        {(1..=pages).map(|p| view! {
                                            <button type="submit" name="aksi" value=format!("hal-{p}") class=if p == page { "button page current" } else { "button secondary page" }
                                                aria-current=(p == page).then_some("page")
                                                title=unanswered_pages.contains(&p).then(|| lang.pick("ada soal yang belum dijawab", "has unanswered questions"))>
                                                {p}{unanswered_pages.contains(&p).then_some("•")}
                                            </button>
                                        }).collect_view()}
                                        {(page < pages).then(|| view! { <button type="submit" name="aksi" value=format!("hal-{}", page + 1) class="button">{lang.pick("Berikutnya ›", "Next ›")}</button> })}
                                    </nav>
                                })}
                                <div class="sticky-actions quiz-actions">
                                    <button type="submit" name="aksi" value="simpan" class="button secondary">{lang.pick("Simpan jawaban", "Save answers")}</button>
                                    <label class="inline"><input type="checkbox" name="yakin" value="ya"/>" "{
                                        if answered < total {
                                            format!("{} ({} {})", lang.pick("Saya selesai", "I am done"), total - answered, lang.pick("belum dijawab", "unanswered"))
                                        } else {
                                            lang.pick("Saya selesai", "I am done").to_string()
                                        }
                                    }</label>
                                    <button type="submit" name="aksi" value="kumpulkan" class="button">{lang.pick("Kumpulkan", "Submit")}</button>
                                </div>
                                <QuizAutosave lang=lang/>
                            })}
                        </form>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

fn item_table(items: Vec<crate::quiz_api::ItemView>, lang: Lang) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{lang.pick("Belum ada percobaan yang selesai.", "No finished attempts yet.")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data items" data-testid="items">
                <thead><tr>
                    <th>{lang.pick("Soal", "Question")}</th>
                    <th class="num">"n"</th>
                    <th class="num">{lang.pick("Tingkat kemudahan", "Facility")}</th>
                    <th class="num">{lang.pick("Daya beda", "Discrimination")}</th>
                    <th>{lang.pick("Pilihan dipilih", "Options chosen")}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|i| {
                        let flag = if i.facility < 0.2 {
                            lang.pick("terlalu sulit?", "too hard?")
                        } else if i.facility > 0.9 {
                            lang.pick("terlalu mudah?", "too easy?")
                        } else if i.discrimination.is_some_and(|d| d < 0.1) {
                            lang.pick("periksa soal", "check this question")
                        } else {
                            ""
                        };
                        view! {
                            <tr>
                                <td><strong>{i.id.clone()}</strong><div class="prose item-text" inner_html=i.html.clone()></div>{(!flag.is_empty()).then(|| view! { <span class="badge">{flag}</span> })}</td>
                                <td class="num">{i.n}</td>
                                <td class="num">{format!("{:.0}%", i.facility * 100.0)}</td>
                                <td class="num">{i.discrimination.map(|d| format!("{d:+.2}")).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    <ul class="plain">
                                        {i.options.into_iter().map(|(html, correct, n)| view! {
                                            <li class:correct-option=correct>{format!("{n}× ")}<span inner_html=html></span>{correct.then_some(" ✓")}</li>
                                        }).collect_view()}
                                    </ul>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/diklat/{id}/kuis`: results per participant and item analysis, one module at a time.
#[component]
pub fn QuizResultsPage() -> impl IntoView {
    use crate::query::use_query_map;
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let args = move || (id(), query.read().get("modul"));
    let results = Resource::new(args, |(id, slug)| crate::quiz_api::get_quiz_results(id, slug));
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(results.await.map(|r| {
                    let title = lang.pick("Hasil tes", "Test results");
                    let (pre, post, gain) = r.averages;
                    view! {
                        <Title text=title/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", r.diklat_id)>{r.diklat_name.clone()}</a></nav>
                        <h1>{format!("{title}: {}", r.module_title)}</h1>
                        <form method="get" class="row no-print">
                            <label>{lang.pick("Modul", "Module")}
                                <select name="modul">
                                    {r.modules.iter().map(|(slug, name)| view! { <option value=slug.clone() selected=*slug == r.slug>{name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button secondary">{lang.pick("Tampilkan", "Show")}</button>
                        </form>
                        <p class="no-print row">
                            <a class="button secondary" href=format!("/unduh/kuis/hasil-{}-{}.csv", r.diklat_id, r.slug)>{lang.pick("Per peserta: CSV", "Per person: CSV")}</a>
                            <a class="button secondary" href=format!("/unduh/kuis/hasil-{}-{}.xlsx", r.diklat_id, r.slug)>"XLSX"</a>
                            <a class="button secondary" href=format!("/unduh/kuis/kelurahan-{}-{}.csv", r.diklat_id, r.slug)>{lang.pick("Per kelurahan: CSV", "Per village: CSV")}</a>
                            <a class="button secondary" href=format!("/unduh/kuis/kelurahan-{}-{}.xlsx", r.diklat_id, r.slug)>"XLSX"</a>
                            <a href=format!("/bank-soal/{}", r.slug)>{lang.pick("Bank soal", "Question bank")}</a>
                        </p>
                        <ul class="counts" data-testid="averages">
                            <li>{format!("{} {}", lang.pick("Rata-rata tes awal", "Pre-test mean"), score_text(pre, lang))}</li>
                            <li>{format!("{} {}", lang.pick("Rata-rata tes akhir", "Post-test mean"), score_text(post, lang))}</li>
                            <li>{format!("{} {}", lang.pick("Rata-rata peningkatan", "Mean gain"), score_text(gain, lang))}</li>
                        </ul>
                        <h2>{lang.pick("Per kelurahan", "Per village")}</h2>
                        <div class="table-wrap">
                            <table class="data" data-testid="villages">
                                <thead><tr>
                                    <th>{lang.pick("Kelurahan", "Village")}</th><th class="num">{lang.pick("Peserta", "People")}</th>
                                    <th class="num">{lang.pick("Awal", "Pre")}</th><th class="num">{lang.pick("Akhir", "Post")}</th>
                                    <th class="num">{lang.pick("Peningkatan", "Gain")}</th><th class="num">{lang.pick("Lulus", "Passed")}</th>
                                </tr></thead>
                                <tbody>
                                    {r.villages.into_iter().map(|v| view! {
                                        <tr>
                                            <td>{v.village}</td>
                                            <td class="num">{v.people}</td>
                                            <td class="num">{score_text(v.pre, lang)}<span class="hint">{format!(" ({})", v.took_pre)}</span></td>
                                            <td class="num">{score_text(v.post, lang)}<span class="hint">{format!(" ({})", v.took_post)}</span></td>
                                            <td class="num">{signed(v.gain, lang)}</td>
                                            <td class="num">{format!("{} / {}", v.passed, v.people)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <h2>{lang.pick("Per peserta", "Per person")}</h2>
                        <div class="table-wrap">
                            <table class="data" data-testid="results">
                                <thead><tr>
                                    <th>{lang.pick("Nama", "Name")}</th><th>{lang.pick("KKMP / kelurahan", "KKMP / village")}</th>
                                    <th class="num">{lang.pick("Awal", "Pre")}</th><th class="num">{lang.pick("Akhir", "Post")}</th><th class="num">{lang.pick("Peningkatan", "Gain")}</th>
                                </tr></thead>
                                <tbody>
                                    {r.rows.into_iter().map(|row| view! {
                                        <tr>
                                            <td>{row.name}</td>
                                            <td>{row.kkmp}<br/><span class="hint">{row.village}</span></td>
                                            <td class="num">{score_text(row.pre, lang)}</td>
                                            <td class="num" class:warn=row.post.is_some() && !row.passed>{score_text(row.post, lang)}</td>
                                            <td class="num">{signed(row.gain, lang)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(!r.objectives.is_empty()).then(|| view! {
                            <section data-testid="objective-gains">
                                <h2>{lang.pick("Peningkatan per tujuan modul", "Gain per module objective")}</h2>
                                <p class="hint">{lang.pick("Bagian jawaban benar untuk soal-soal yang mengukur setiap tujuan, di tes awal dan tes akhir.", "Share answered right on the questions measuring each objective, in the pre-test and the post-test.")}</p>
                                <div class="table-wrap"><table class="data">
                                    <thead><tr><th>{lang.pick("Tujuan", "Objective")}</th><th class="num">{lang.pick("Tes awal", "Pre-test")}</th><th class="num">{lang.pick("Tes akhir", "Post-test")}</th><th class="num">{lang.pick("Peningkatan", "Gain")}</th></tr></thead>
                                    <tbody>
                                        {r.objectives.clone().into_iter().map(|(text, pre, post)| view! {
                                            <tr>
                                                <td>{text}</td>
                                                <td class="num">{score_text(pre, lang)}</td>
                                                <td class="num">{score_text(post, lang)}</td>
                                                <td class="num">{signed(pre.zip(post).map(|(a, b)| b - a), lang)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                            </section>
                        })}
                        <section data-testid="reliability">
                            <h2>{lang.pick("Keandalan tes", "Test reliability")}</h2>
                            <p class="hint">{lang.pick(
                                "Koefisien alfa (Cronbach, 1951) atas posisi soal: setiap peserta mendapat soal acak dari bank yang sama (bentuk paralel acak, Lord & Novick 1968), jadi alfa memperkirakan keandalan satu bentuk tes. Di atas 0,7 umumnya cukup untuk keputusan kelompok; paling sedikit 10 percobaan.",
                                "Coefficient alpha (Cronbach, 1951) over question positions: each participant gets questions drawn at random from one bank (randomly parallel forms, Lord & Novick 1968), so alpha estimates the reliability of one form. Above 0.7 is usually enough for group decisions; at least 10 attempts."
                            )}</p>
                            <ul class="plain">
                                {[(lang.pick("Tes awal", "Pre-test"), r.reliability.0), (lang.pick("Tes akhir", "Post-test"), r.reliability.1)].into_iter().map(|(label, rel)| view! {
                                    <li>{match rel {
                                        Some((alpha, n)) => format!(
                                            "{label}: α = {} ({n} {})",
                                            if lang == Lang::Id { format!("{alpha:.2}").replace('.', ",") } else { format!("{alpha:.2}") },
                                            lang.pick("percobaan", "attempts")
                                        ),
                                        None => format!("{label}: {}", lang.pick("belum cukup percobaan", "not enough attempts yet")),
                                    }}</li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <h2>{lang.pick("Analisis butir: tes akhir", "Item analysis: post-test")}</h2>
                        <p class="hint">{lang.pick("Tingkat kemudahan: bagian yang menjawab benar. Daya beda: nilai kelompok 27% teratas dikurangi 27% terbawah (dari 10 percobaan). Soal dengan daya beda rendah atau negatif perlu diperiksa.", "Facility: share answered correctly. Discrimination: top 27% minus bottom 27% (from 10 attempts). Questions with low or negative discrimination need checking.")}</p>
                        {item_table(r.items_post, lang)}
                        <h2>{lang.pick("Analisis butir: tes awal", "Item analysis: pre-test")}</h2>
                        {item_table(r.items_pre, lang)}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
