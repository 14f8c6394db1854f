//! The evaluation of a diklat: `/evaluasi` (what a participant is asked to fill in),
//! `/evaluasi/{diklat}/{form}/{session}` (one form, kept as a draft until sent), and the panitia's
//! `/diklat/{id}/evaluasi` (which forms, and the anonymous report) and `/evaluasi/narasumber/{id}`.

use crate::{
    api::take_flash,
    app::use_lang,
    components::{
        print::PrintButton,
        status::{or_error, FlashNotice},
    },
    evaluation_api::{evaluation_form, evaluation_report, my_evaluations, speaker_across, FiguresView, SpeakerView},
    i18n::Lang,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The list of forms a participant is asked for (also shown on `/jadwal`).
#[component]
pub fn DueList() -> impl IntoView {
    let lang = use_lang();
    let due = Resource::new(|| (), |_| my_evaluations());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = due.await.unwrap_or_default();
                (!list.is_empty()).then(|| {
                    let open = list.iter().filter(|d| !d.submitted).count();
                    view! {
                        <section class="card" data-testid="evaluations">
                            <h2>{lang.pick("Evaluasi diklat", "Training evaluation")}</h2>
                            <p class="hint">{if open == 0 {
                                lang.pick("Semua evaluasi sudah Anda kirim. Terima kasih!", "You have sent every evaluation. Thank you!").to_string()
                            } else {
                                format!("{open} {}", lang.pick("evaluasi menunggu Anda. Jawaban Anda tidak ditampilkan dengan nama.", "evaluations are waiting for you. Your answers are never shown with your name."))
                            }}</p>
                            <ul class="evaluation-list">
                                {list.into_iter().map(|d| view! {
                                    <li>
                                        {if d.submitted {
                                            view! { <span>{d.title.clone()}</span>" — "<strong>{lang.pick("terkirim ✓", "sent ✓")}</strong> }.into_any()
                                        } else {
                                            view! { <a href=d.href.clone()>{d.title.clone()}</a>{d.draft.then(|| lang.pick(" (draf tersimpan)", " (draft saved)"))} }.into_any()
                                        }}
                                        <br/><span class="hint">{d.about.clone().map(|a| format!("{a} · ")).unwrap_or_default()}{d.diklat_name.clone()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })
            })}
        </Suspense>
    }
}

/// `/evaluasi`: every form the participant is asked for.
#[component]
pub fn EvaluationsPage() -> impl IntoView {
    let lang = use_lang();
    let flash = Resource::new(|| (), |_| take_flash());
    let title = lang.pick("Evaluasi diklat", "Training evaluation");
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>{move || Suspend::new(async move { view! { <FlashNotice flash=flash.await.ok().flatten()/> } })}</Suspense>
        <DueList/>
        <p class="hint">{lang.pick(
            "Evaluasi penyelenggaraan dibuka sesudah sesi pertama dimulai; evaluasi narasumber dibuka untuk setiap sesi yang Anda hadiri (Hadir atau Terlambat).",
            "The organisation form opens once the first session has started; the speaker form opens for every session you attended (present or late).",
        )}</p>
    }
    .into_any()
}

/// `/evaluasi/{diklat}/{form}/{session}`: one form. Works without JavaScript: radio buttons and
/// a text area, "Simpan draf" and "Kirim" (with a confirmation box: sent answers cannot change).
#[component]
pub fn EvaluationFormPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("diklat").and_then(|v| v.parse::<i32>().ok()).unwrap_or(0),
            p.get("form").unwrap_or_default(),
            p.get("session").and_then(|v| v.parse::<i32>().ok()).unwrap_or(0),
        )
    };
    let form = Resource::new(key, |(d, f, s)| evaluation_form(d, f, s));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let form = form.await;
                // A refusal of the form itself (not attended, say) repeats the flash's error: once.
                let refused = form.is_err() && flash.as_ref().is_some_and(|f| !f.ok);
                view! {
                    <FlashNotice flash=flash/>
                    {(!refused).then(|| or_error(form.map(|v| {
                    let scale = v.scale.clone();
                    view! {
                        <Title text=v.title.clone()/>
                        <nav class="breadcrumb"><a href="/evaluasi">{lang.pick("Evaluasi", "Evaluation")}</a>" › "<span>{v.diklat_name.clone()}</span></nav>
                        <h1>{v.title.clone()}</h1>
                        {v.about.clone().map(|a| view! { <p class="lead">{a}</p> })}
                        {if v.submitted {
                            view! {
                                <p class="notice notice-ok" data-testid="evaluation-sent">{lang.pick(
                                    "Evaluasi ini sudah Anda kirim. Terima kasih! Jawaban yang terkirim disimpan tanpa nama dan tidak dapat diubah.",
                                    "You have sent this evaluation. Thank you! Sent answers are kept without your name and cannot be changed.",
                                )}</p>
                                <p><a href="/evaluasi">{lang.pick("Kembali ke daftar evaluasi", "Back to the evaluations")}</a></p>
                            }.into_any()
                        } else {
                            view! {
                                <p class="hint">{lang.pick(
                                    "Jawaban Anda disimpan tanpa nama: panitia hanya melihat rekap dari sedikitnya beberapa peserta. Simpan draf bila belum selesai; sesudah dikirim, jawaban tidak dapat diubah.",
                                    "Your answers are kept without your name: the organisers see only summaries of several participants. Save a draft if you are not done; once sent, answers cannot be changed.",
                                )}</p>
                                <form method="post" action="/evaluasi/kirim" class="evaluation-form" data-testid="evaluation-form">
                                    <input type="hidden" name="diklat" value=v.diklat_id.to_string()/>
                                    <input type="hidden" name="formulir" value=v.form_id.clone()/>
                                    <input type="hidden" name="sesi" value=v.session_id.to_string()/>
                                    {v.questions.into_iter().enumerate().map(|(i, q)| {
                                        let name = format!("q_{}", q.id);
                                        if q.rated {
                                            view! {
                                                <fieldset class="rating">
                                                    <legend>{format!("{}. {}", i + 1, q.text)}</legend>
                                                    {scale.iter().map(|(p, label)| view! {
                                                        <label class="choice">
                                                            <input type="radio" name=name.clone() value=p.to_string() checked=q.value == p.to_string()/>
                                                            " "{format!("{p} — {label}")}
                                                        </label>
                                                    }).collect_view()}
                                                </fieldset>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <label class="field">
                                                    <span>{format!("{}. {} ", i + 1, q.text)}<small class="hint">{lang.pick("(boleh dikosongkan)", "(optional)")}</small></span>
                                                    <textarea name=name rows="4" maxlength=v.max_text.to_string()>{q.value.clone()}</textarea>
                                                </label>
                                            }.into_any()
                                        }
                                    }).collect_view()}
                                    <p class="actions">
                                        <button type="submit" name="aksi" value="simpan" class="button secondary">{lang.pick("Simpan draf", "Save draft")}</button>
                                    </p>
                                    <p class="confirm">
                                        <label><input type="checkbox" name="yakin" value="1"/>" "{lang.pick("Saya yakin; jawaban yang terkirim tidak dapat diubah.", "I am sure; sent answers cannot be changed.")}</label>
                                    </p>
                                    <p class="actions"><button type="submit" name="aksi" value="kirim" class="button">{lang.pick("Kirim evaluasi", "Send the evaluation")}</button></p>
                                </form>
                            }.into_any()
                        }}
                    }
                })))}
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// A form's figures: the response rate, the index, a bar chart of the means drawn on the server
/// (with the table beside it as its text alternative) and the open answers.
fn figures_block(f: FiguresView, min_group: usize, closes_on: Option<&str>, lang: Lang) -> impl IntoView {
    let rate = format!("{} {} {} ({}%)", f.responses, lang.pick("dari", "of"), f.expected, f.percent);
    view! {
        <p data-testid="response-rate"><strong>{lang.pick("Tingkat respons: ", "Response rate: ")}</strong>{rate}</p>
        {if let (false, Some(on)) = (f.shown, closes_on) {
            view! {
                <p class="empty" data-testid="not-closed">{format!(
                    "{} {on}{}",
                    lang.pick("Hasil tampil sesudah evaluasi ditutup pada", "Results show once the evaluation closes on"),
                    lang.pick(
                        ", sekali dan tidak berubah lagi: angka yang berubah tiap ada jawaban baru akan membuka jawaban orang itu.",
                        ", once and never changing again: figures that moved with every new answer would reveal that person's answers.",
                    ),
                )}</p>
            }.into_any()
        } else if !f.shown {
            view! {
                <p class="empty" data-testid="too-few">{format!(
                    "{} {min_group} {}",
                    lang.pick("Hasil ditampilkan bila sedikitnya", "Results are shown once at least"),
                    lang.pick("peserta mengisi, agar jawaban tidak dapat ditelusuri ke orangnya.", "participants have answered, so no answer can be traced to its author."),
                )}</p>
            }.into_any()
        } else {
            let chart = chart(&f, lang);
            view! {
                {f.ikm.clone().map(|ikm| view! {
                    <p class="lead" data-testid="ikm"><strong>{lang.pick("Indeks kepuasan (IKM): ", "Satisfaction index (IKM): ")}</strong>{ikm}" · "{f.category.clone().unwrap_or_default()}</p>
                })}
                {chart}
                <div class="table-wrap">
                    <table class="data" data-testid="question-figures">
                        <thead><tr>
                            <th scope="col">{lang.pick("Pertanyaan", "Question")}</th>
                            <th scope="col">{lang.pick("Rata-rata", "Mean")}</th>
                            {f.scale_labels.iter().enumerate().map(|(i, l)| view! { <th scope="col">{format!("{} {l}", f.scale_min as usize + i)}</th> }).collect_view()}
                            <th scope="col">{lang.pick("Penjawab", "Answers")}</th>
                        </tr></thead>
                        <tbody>
                            {f.questions.iter().map(|q| view! {
                                <tr>
                                    <td>{q.text.clone()}</td>
                                    <td class="num">{q.mean.clone().unwrap_or_else(|| "—".into())}</td>
                                    {q.counts.iter().map(|c| view! { <td class="num">{*c}</td> }).collect_view()}
                                    <td class="num">{q.answered}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {f.open.iter().filter(|(_, a)| !a.is_empty()).map(|(q, answers)| view! {
                    <h4>{q.clone()}</h4>
                    <ul class="open-answers" data-testid="open-answers">{grouped(answers).into_iter().map(|(a, n)| view! {
                        <li>{a}{(n > 1).then(|| format!(" (×{n})"))}</li>
                    }).collect_view()}</ul>
                }).collect_view()}
            }.into_any()
        }}
    }
}

/// Answers as sorted, the same sentence once with how many gave it.
fn grouped(answers: &[String]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for a in answers {
        match out.last_mut() {
            Some((last, n)) if last == a => *n += 1,
            _ => out.push((a.clone(), 1)),
        }
    }
    out
}

/// Horizontal bars of each question's mean on the form's scale, drawn as SVG on the server.
fn chart(f: &FiguresView, lang: Lang) -> impl IntoView {
    const ROW: f64 = 34.0;
    let (min, max) = (f64::from(f.scale_min), f64::from(f.scale_max));
    let height = ROW * f.questions.len() as f64 + 8.0;
    let summary = f
        .questions
        .iter()
        .map(|q| format!("{}: {}", q.text, q.mean.clone().unwrap_or_else(|| "—".into())))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <figure class="chart evaluation-chart">
            <svg viewBox=format!("0 0 360 {height}") role="img" aria-label=format!("{}: {summary}", lang.pick("Rata-rata per pertanyaan", "Mean per question")) data-testid="evaluation-chart">
                {f.questions.iter().enumerate().map(|(i, q)| {
                    let y = i as f64 * ROW;
                    let value = q.mean_value.unwrap_or(min);
                    let width = ((value - min) / (max - min)).clamp(0.0, 1.0) * 300.0;
                    let name: String = if q.text.chars().count() > 48 { format!("{}…", q.text.chars().take(47).collect::<String>()) } else { q.text.clone() };
                    view! {
                        <g>
                            <title>{format!("{}: {}", q.text, q.mean.clone().unwrap_or_default())}</title>
                            <text x="0" y=format!("{}", y + 12.0) class="chart-label" font-size="12">{name}</text>
                            <rect x="0" y=format!("{}", y + 16.0) width="300" height="12" class="bar-track"/>
                            <rect x="0" y=format!("{}", y + 16.0) width=format!("{width:.1}") height="12" class="bar"/>
                            <text x="306" y=format!("{}", y + 27.0) font-size="12" class="chart-label">{q.mean.clone().unwrap_or_default()}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="hint">{format!("{} {}–{}", lang.pick("Skala", "Scale"), f.scale_min, f.scale_max)}</figcaption>
        </figure>
    }
}

fn speaker_block(s: SpeakerView, min_group: usize, closes_on: Option<&str>, lang: Lang, link: bool) -> impl IntoView {
    view! {
        <section class="card speaker" data-testid="speaker">
            <h3>{if link { view! { <a href=format!("/evaluasi/narasumber/{}", s.id)>{s.name.clone()}</a> }.into_any() } else { view! { <span>{s.name.clone()}</span> }.into_any() }}</h3>
            <p class="hint">{s.institution.clone()}" · "{s.sessions.join("; ")}</p>
            {figures_block(s.figures, min_group, closes_on, lang)}
        </section>
    }
}

/// `/diklat/{id}/evaluasi`: which forms the diklat asks for, and the anonymous report.
#[component]
pub fn EvaluationReportPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let report = Resource::new(id, evaluation_report);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(report.await.map(|r| {
                    let title = lang.pick("Evaluasi diklat", "Training evaluation");
                    let min_group = r.min_group;
                    let chosen = r.available.iter().any(|(_, _, c)| *c);
                    let closes_on = (!r.closed).then(|| r.closes_on.clone());
                    view! {
                        <Title text=format!("{title} — {}", r.diklat_name)/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", r.diklat_id)>{r.diklat_name.clone()}</a></nav>
                        <h1>{title}</h1>
                        <p class="print-only">{format!("{} ({})", r.diklat_name, r.diklat_code)}</p>
                        <FlashNotice flash=flash/>
                        <form method="post" action=format!("/diklat/{}/evaluasi/atur", r.diklat_id) class="card no-print" data-testid="evaluation-settings">
                            <h2>{lang.pick("Formulir yang diisi peserta", "Forms the participants fill in")}</h2>
                            {r.available.iter().map(|(id, name, on)| view! {
                                <label class="choice"><input type="checkbox" name="formulir" value=id.clone() checked=*on/>" "{name.clone()}</label><br/>
                            }).collect_view()}
                            <label class="choice"><input type="checkbox" name="wajib" value="1" checked=r.required/>" "{lang.pick(
                                "Wajib diisi sebelum sertifikat terbit",
                                "Required before the certificate is issued",
                            )}</label>
                            <p><button type="submit" class="button">{lang.pick("Simpan pilihan", "Save")}</button></p>
                        </form>
                        {if !chosen {
                            view! { <p class="empty">{lang.pick("Diklat ini belum meminta evaluasi. Pilih formulirnya di atas.", "This training asks for no evaluation yet. Choose the forms above.")}</p> }.into_any()
                        } else {
                            view! {
                                <p class="no-print">
                                    <a class="button secondary" href=format!("/unduh/evaluasi/evaluasi-{}.xlsx", r.diklat_id)>{lang.pick("Unduh XLSX", "Download XLSX")}</a>" "
                                    <a class="button secondary" href=format!("/unduh/evaluasi/evaluasi-{}.csv", r.diklat_id)>{lang.pick("Unduh CSV", "Download CSV")}</a>" "
                                    <PrintButton label=lang.pick("Cetak laporan", "Print the report").to_string()/>
                                </p>
                                <p class="hint">{lang.pick(
                                    "Jawaban disimpan tanpa nama dan tanpa waktu. Angka dan saran sebuah kelompok tampil bila sedikitnya ",
                                    "Answers are kept with no name and no time. A group's figures and suggestions show once at least ",
                                )}{min_group}{lang.pick(" peserta mengisi. IKM: PermenPANRB 14/2017 (skala 1–4 × 25).", " participants have answered. IKM: PermenPANRB 14/2017 (1–4 scale × 25).")}</p>
                                {r.forms.into_iter().map(|f| view! {
                                    <section class="card" data-testid="form-report">
                                        <h2>{f.title.clone()}</h2>
                                        {figures_block(f, min_group, closes_on.as_deref(), lang)}
                                    </section>
                                }).collect_view()}
                                {(!r.speakers.is_empty()).then(|| view! { <h2>{lang.pick("Narasumber", "Speakers")}</h2> })}
                                {r.speakers.into_iter().map(|s| speaker_block(s, min_group, closes_on.as_deref(), lang, true)).collect_view()}
                            }.into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/evaluasi/narasumber/{id}`: one narasumber across the diklat the caller manages.
#[component]
pub fn SpeakerAcrossPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let across = Resource::new(id, speaker_across);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(across.await.map(|a| {
                    let min_group = a.min_group;
                    view! {
                        <Title text=a.name.clone()/>
                        <h1>{a.name.clone()}</h1>
                        <p class="lead">{a.institution.clone()}</p>
                        {if a.rows.is_empty() {
                            view! { <p class="empty">{lang.pick("Belum ada evaluasi untuk narasumber ini.", "No evaluation of this speaker yet.")}</p> }.into_any()
                        } else {
                            a.rows.into_iter().map(|(name, code, s)| view! {
                                <h2>{format!("{name} ({code})")}</h2>
                                {speaker_block(s, min_group, None, lang, false)}
                            }).collect_view().into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
