use crate::query::use_query_map;
use crate::{
    api::{list_people, take_flash},
    app::use_lang,
    components::status::{or_error, FlashNotice},
    i18n::encode_component,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/peserta`: participants in the caller's region, for panitia and admin. The filter is a GET
/// form, so every result page has a URL that can be shared and reloaded.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (
            q.get("q").filter(|s| !s.trim().is_empty()),
            q.get("kecamatan").and_then(|k| k.parse::<i32>().ok()),
            q.get("hal").and_then(|p| p.parse::<u64>().ok()),
        )
    };
    let people = Resource::new(params, |(q, kecamatan, page)| list_people(q, kecamatan, page));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text=t.people_title/>
        <h1>{t.people_title}</h1>
        <p class="lead">{t.people_lead}</p>
        <p>
            <a class="button secondary" href="/peserta/baru">{t.new_person}</a>
            " "
            <a class="button secondary" href="/peserta/impor">{t.import_title}</a>
        </p>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let (q, kecamatan, _) = params();
                let flash = flash.await.ok().flatten();
                or_error(people.await.map(|list| {
                    let link = {
                        let q = q.clone();
                        move |page: u64| {
                            let mut href = format!("/peserta?hal={page}");
                            if let Some(q) = &q {
                                href.push_str(&format!("&q={}", encode_component(q)));
                            }
                            if let Some(k) = kecamatan {
                                href.push_str(&format!("&kecamatan={k}"));
                            }
                            href
                        }
                    };
                    let from = if list.total == 0 { 0 } else { (list.page - 1) * list.per_page + 1 };
                    let to = ((list.page - 1) * list.per_page + list.rows.len() as u64).min(list.total);
                    let last_page = list.total.div_ceil(list.per_page).max(1);
                    let any_without_password = list.rows.iter().any(|p| !p.has_password && p.is_active);
                    view! {
                        <FlashNotice flash=flash/>
                        <form method="get" action="/peserta" class="filters" role="search">
                            <label for="q" class="visually-hidden">{t.search_label}</label>
                            <input id="q" name="q" type="search" placeholder=t.search_label value=q.clone().unwrap_or_default()/>
                            <select name="kecamatan" aria-label=t.f_kecamatan>
                                <option value="">{t.all_districts}</option>
                                {list
                                    .districts
                                    .iter()
                                    .map(|(id, name)| {
                                        view! { <option value=id.to_string() selected=kecamatan == Some(*id)>{name.clone()}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <button type="submit" class="button">{t.search_button}</button>
                        </form>
                        <p class="hint" data-testid="people-count">
                            {(t.people_count)(from, to, list.total)}
                            " · "
                            <a href={
                                let mut href = "/peserta/ekspor.csv?".to_string();
                                if let Some(q) = &q {
                                    href.push_str(&format!("q={}&", encode_component(q)));
                                }
                                if let Some(k) = kecamatan {
                                    href.push_str(&format!("kecamatan={k}"));
                                }
                                href
                            }>{t.export_csv}</a>
                        </p>
                        {any_without_password.then(|| view! {
                            <form method="post" action="/kode/buat" class="inline-form">
                                <input type="hidden" name="semua" value="1"/>
                                <input type="hidden" name="q" value=q.clone().unwrap_or_default()/>
                                <input type="hidden" name="kecamatan" value=kecamatan.map(|k| k.to_string()).unwrap_or_default()/>
                                <button type="submit" class="button secondary">{t.codes_for_all}</button>
                            </form>
                        })}
                        {if list.rows.is_empty() {
                            view! { <p class="empty">{t.no_results}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t.f_name}</th>
                                                <th scope="col">{t.f_nik}</th>
                                                <th scope="col">{t.f_position}</th>
                                                <th scope="col">{t.f_kelurahan}</th>
                                                <th scope="col">{t.account_status}</th>
                                                <th scope="col"><span class="visually-hidden">{t.code_for_one}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .rows
                                                .into_iter()
                                                .map(|p| {
                                                    let status = if !p.is_active {
                                                        t.status_inactive
                                                    } else if p.has_password {
                                                        t.status_active
                                                    } else {
                                                        t.status_no_password
                                                    };
                                                    view! {
                                                        <tr class="person" data-id=p.id>
                                                            <td>
                                                                <a href=format!("/peserta/{}", p.id)>{p.name}</a>
                                                                <br/>
                                                                <small class="hint">{p.phone.unwrap_or_default()}</small>
                                                            </td>
                                                            <td class="code">{p.nik_masked.unwrap_or_default()}</td>
                                                            <td>{p.position.map(|j| lang.label(j)).unwrap_or_default()}</td>
                                                            <td>
                                                                {p.village}
                                                                <br/>
                                                                <small class="hint">{p.district}</small>
                                                            </td>
                                                            <td>{status}</td>
                                                            <td>
                                                                <form method="post" action="/kode/buat">
                                                                    <input type="hidden" name="orang" value=p.id.to_string()/>
                                                                    <button type="submit" class="link-button">{t.code_for_one}</button>
                                                                </form>
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="pager" aria-label="halaman">
                                    {(list.page > 1).then(|| view! { <a rel="prev" href=link(list.page - 1)>{t.prev_page}</a> })}
                                    <span>{format!("{} / {}", list.page, last_page)}</span>
                                    {(list.page < last_page).then(|| view! { <a rel="next" href=link(list.page + 1)>{t.next_page}</a> })}
                                </nav>
                            }
                                .into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
