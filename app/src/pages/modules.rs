use crate::{
    api::{list_modules, module_page, take_flash, ModuleCard, ProgressView},
    app::use_lang,
    components::{
        reading::{MarkReadForm, ReadingTracker, PROGRESS_BAR_ID, PROGRESS_TEXT_ID, RESUME_LINK_ID},
        status::{or_error, FlashNotice},
    },
    i18n::{audience_label, encode_component, Lang},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn card_meta(card: &ModuleCard, lang: Lang) -> String {
    let t = lang.t();
    format!("{} {} · {} · {} {}", card.jp, t.jp, audience_label(&card.audience, lang), card.minutes, t.minutes_read)
}

/// A card's progress bar and the link that starts or resumes reading.
fn card_progress(slug: &str, p: &ProgressView, lang: Lang) -> impl IntoView {
    let t = lang.t();
    let (href, label) = match &p.resume {
        _ if p.complete() => (format!("/modul/{slug}"), format!("✓ {}", t.progress_complete)),
        Some((anchor, _)) if p.read > 0 => (format!("/modul/{slug}#{anchor}"), t.progress_resume.to_string()),
        _ => (format!("/modul/{slug}"), t.progress_start.to_string()),
    };
    view! {
        <div class="card-progress">
            <progress max=p.total value=p.read aria-label=(t.progress_label)(p.read, p.total)></progress>
            <span class="hint">{(t.progress_label)(p.read, p.total)}</span>
            <a class="resume" href=href>{label}</a>
        </div>
    }
}

/// The bar and resume link at the top of a module, for a signed-in reader.
fn module_progress(slug: &str, p: Option<ProgressView>, lang: Lang) -> impl IntoView {
    let t = lang.t();
    match p {
        None => view! {
            <p class="hint progress-sign-in no-print">
                <a href=format!("/masuk?ke={}", encode_component(&format!("/modul/{slug}")))>{t.progress_sign_in}</a>
            </p>
        }
        .into_any(),
        Some(p) => {
            let (href, label) = match &p.resume {
                Some((anchor, title)) if p.read > 0 => {
                    (format!("#{anchor}"), format!("{} → {title}", t.progress_resume))
                }
                Some((anchor, title)) => (format!("#{anchor}"), format!("{} → {title}", t.progress_start)),
                None => ("#".to_string(), format!("✓ {}", t.progress_complete)),
            };
            view! {
                <div class="reading-progress no-print">
                    <progress id=PROGRESS_BAR_ID max=p.total value=p.read aria-describedby=PROGRESS_TEXT_ID></progress>
                    <span id=PROGRESS_TEXT_ID class="hint" aria-live="polite">{(t.progress_label)(p.read, p.total)}</span>
                    <a id=RESUME_LINK_ID class="resume" href=href>{label}</a>
                </div>
            }
            .into_any()
        }
    }
}

/// `/modul`: the modules as cards.
#[component]
pub fn ModulesPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let modules = Resource::new(|| (), |_| list_modules());
    view! {
        <Title text=t.modules_title/>
        <h1>{t.modules_title}</h1>
        <p class="lead">{t.modules_lead}</p>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(modules.await.map(|list| view! {
                    <ol class="module-list">
                        {list.into_iter().map(|m| {
                            let meta = card_meta(&m, lang);
                            view! {
                                <li class="module-item" data-slug=m.slug.clone()>
                                    <h2><a href=format!("/modul/{}", m.slug)>{m.title}</a></h2>
                                    <p>{m.summary}</p>
                                    <span class="badge">{meta}</span>
                                    {m.progress.map(|p| card_progress(&m.slug, &p, lang))}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }))
            })}
        </Suspense>
    }
}

/// `/modul/{slug}`: a module with its table of contents (a collapsible list on phones, a
/// sticky column on wide screens), objectives, sections and sources.
#[component]
pub fn ModulePage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let module = Resource::new(move || params.read().get("slug").unwrap_or_default(), module_page);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(module.await.map(|m| {
                    let toc_entry = |s: &crate::api::ModuleSectionView| view! {
                        <li data-toc=s.anchor.clone() class:read=s.read><a href=format!("#{}", s.anchor)>{s.title.clone()}</a></li>
                    };
                    let toc = m.sections.iter().map(toc_entry).collect_view();
                    let toc_wide = m.sections.iter().map(toc_entry).collect_view();
                    let signed_in = m.card.progress.is_some();
                    let slug = m.card.slug.clone();
                    let progress = module_progress(&slug, m.card.progress.clone(), lang);
                    let meta = card_meta(&m.card, lang);
                    view! {
                        <Title text=m.card.title.clone()/>
                        <nav class="breadcrumb no-print">
                            <a href="/modul">{t.modules_title}</a>
                        </nav>
                        <div class="module-layout">
                            <aside class="toc-wide no-print" aria-label=t.toc>
                                <p class="toc-title">{t.toc}</p>
                                <ol>{toc_wide}</ol>
                            </aside>
                            <article class="module">
                                <h1>{m.card.title.clone()}</h1>
                                <p class="lead">{m.card.summary.clone()}</p>
                                <p class="badge">{meta}</p>
                                <FlashNotice flash=flash/>
                                {progress}
                                {signed_in.then(|| view! { <ReadingTracker lang=lang/> })}
                                <details class="toc-phone no-print">
                                    <summary>{t.toc}</summary>
                                    <ol>{toc}</ol>
                                </details>
                                {m.has_quiz.then(|| view! {
                                    <p class="no-print quiz-links">
                                        <a class="button secondary" href=format!("/kuis/{slug}/awal")>{lang.pick("Tes awal (sebelum membaca)", "Pre-test (before reading)")}</a>
                                    </p>
                                })}
                                <section class="objectives">
                                    <h2>{t.objectives}</h2>
                                    <ul>{m.objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                                </section>
                                <div class="prose" inner_html=m.intro_html/>
                                {m.sections.into_iter().map(|s| {
                                    let mark = signed_in.then(|| view! {
                                        <MarkReadForm slug=slug.clone() anchor=s.anchor.clone() read=s.read lang=lang/>
                                    });
                                    view! {
                                        <section class="module-section" data-anchor=s.anchor.clone()>
                                            <div class="prose" inner_html=s.html/>
                                            {mark}
                                        </section>
                                    }
                                }).collect_view()}
                                {m.has_quiz.then(|| view! {
                                    <p class="no-print quiz-links">
                                        <a class="button" href=format!("/kuis/{slug}/akhir")>{lang.pick("Tes akhir (sesudah membaca)", "Post-test (after reading)")}</a>
                                    </p>
                                })}
                                <section class="prose footnotes">
                                    <h2>{t.sources}</h2>
                                    <div inner_html=m.footnotes_html/>
                                    <ul class="legal-basis">
                                        {m.legal_basis.into_iter().map(|(title, year)| view! { <li>{title}" ("{year}")"</li> }).collect_view()}
                                    </ul>
                                    <p class="hint" data-testid="reviewed">{format!("{} {} · {} {}", t.version, m.version, t.last_reviewed, m.last_reviewed)}
                                        {m.review_by.clone().map(|d| format!(" · {} {d}", lang.pick("ditinjau ulang paling lambat", "to be reviewed again by")))}</p>
                                    {(!m.changelog.is_empty()).then(|| view! {
                                        <details class="changelog" data-testid="changelog">
                                            <summary>{lang.pick("Riwayat perubahan", "Change log")}</summary>
                                            <ul>{m.changelog.clone().into_iter().map(|(v, d, c)| view! { <li><strong>{format!("{v} ({d})")}</strong>" — "{c}</li> }).collect_view()}</ul>
                                        </details>
                                    })}
                                </section>
                            </article>
                        </div>
                    }
                }))
            })}
        </Suspense>
    }
}
