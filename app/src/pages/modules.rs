use crate::{
    api::{list_modules, module_page, ModuleCard},
    app::use_lang,
    components::status::or_error,
    i18n::{audience_label, Lang},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn card_meta(card: &ModuleCard, lang: Lang) -> String {
    let t = lang.t();
    format!("{} {} · {} · {} {}", card.jp, t.jp, audience_label(&card.audience, lang), card.minutes, t.minutes_read)
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
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(module.await.map(|m| {
                    let toc = m.sections.iter().map(|s| view! { <li><a href=format!("#{}", s.anchor)>{s.title.clone()}</a></li> }).collect_view();
                    let toc_wide = m.sections.iter().map(|s| view! { <li><a href=format!("#{}", s.anchor)>{s.title.clone()}</a></li> }).collect_view();
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
                                <details class="toc-phone no-print">
                                    <summary>{t.toc}</summary>
                                    <ol>{toc}</ol>
                                </details>
                                <section class="objectives">
                                    <h2>{t.objectives}</h2>
                                    <ul>{m.objectives.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul>
                                </section>
                                <div class="prose" inner_html=m.intro_html/>
                                {m.sections.into_iter().map(|s| view! {
                                    <section class="prose module-section" data-anchor=s.anchor.clone() inner_html=s.html/>
                                }).collect_view()}
                                <section class="prose footnotes">
                                    <h2>{t.sources}</h2>
                                    <div inner_html=m.footnotes_html/>
                                    <ul class="legal-basis">
                                        {m.legal_basis.into_iter().map(|(title, year)| view! { <li>{title}" ("{year}")"</li> }).collect_view()}
                                    </ul>
                                    <p class="hint">{format!("{} {} · {} {}", t.version, m.version, t.last_reviewed, m.last_reviewed)}</p>
                                </section>
                            </article>
                        </div>
                    }
                }))
            })}
        </Suspense>
    }
}
