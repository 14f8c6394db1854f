use crate::{api::list_modules, app::use_lang, components::status::or_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Home() -> impl IntoView {
    let t = use_lang().t();
    let modules = Resource::new(|| (), |_| list_modules());
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>{t.home_title}</h1>
            <p class="lead">{t.home_lead}</p>
        </section>
        <section class="cards three" aria-label=t.menu>
            <article class="card">
                <h2>{t.home_for_peserta}</h2>
                <p>{t.home_for_peserta_text}</p>
            </article>
            <article class="card">
                <h2>{t.home_for_panitia}</h2>
                <p>{t.home_for_panitia_text}</p>
            </article>
            <article class="card">
                <h2>{t.home_for_pejabat}</h2>
                <p>{t.home_for_pejabat_text}</p>
            </article>
        </section>
        <section>
            <h2>{t.home_modules_title}</h2>
            <Suspense fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    or_error(modules.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="empty">{t.home_modules_empty}</p> }.into_any();
                        }
                        view! {
                            <ol class="module-list">
                                {list
                                    .into_iter()
                                    .map(|m| {
                                        view! {
                                            <li class="module-item" data-slug=m.slug>
                                                <h3>
                                                    <a href=format!("/modul/{}", m.slug)>{m.title}</a>
                                                </h3>
                                                <p>{m.summary}</p>
                                                <span class="badge">{m.jp}" "{t.jp}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any()
                    }))
                })}
            </Suspense>
        </section>
        <p>
            <a class="button secondary" href="/wilayah/3573">{t.home_regions_link}</a>
        </p>
    }
}
