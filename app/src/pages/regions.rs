use crate::{
    api::{list_regencies, regency_detail},
    app::use_lang,
    components::status::or_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/wilayah`: every kabupaten/kota with its counts.
#[component]
pub fn RegionsPage() -> impl IntoView {
    let t = use_lang().t();
    let regencies = Resource::new(|| (), |_| list_regencies());
    view! {
        <Title text=t.regions_title/>
        <h1>{t.regions_title}</h1>
        <p class="lead">{t.regions_lead}</p>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(regencies.await.map(|list| {
                    view! {
                        <div class="table-wrap">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">"Provinsi"</th>
                                        <th scope="col">"Kabupaten/Kota"</th>
                                        <th scope="col" class="num">{t.kecamatan}</th>
                                        <th scope="col" class="num">{t.kelurahan}</th>
                                        <th scope="col" class="num">{t.kkmp}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <tr>
                                                    <td>{r.province}</td>
                                                    <td>
                                                        <a href=format!("/wilayah/{}", r.code)>{r.name}</a>
                                                    </td>
                                                    <td class="num">{r.districts}</td>
                                                    <td class="num">{r.villages}</td>
                                                    <td class="num">{r.cooperatives}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                }))
            })}
        </Suspense>
    }
}

/// `/wilayah/{code}`: a kabupaten/kota's kecamatan, kelurahan and KKMP.
#[component]
pub fn RegencyPage() -> impl IntoView {
    let t = use_lang().t();
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("code").unwrap_or_default(), regency_detail);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(detail.await.map(|r| {
                    let villages: usize = r.districts.iter().map(|d| d.villages.len()).sum();
                    let coops: usize =
                        r.districts.iter().flat_map(|d| &d.villages).filter(|v| v.cooperative.is_some()).count();
                    view! {
                        <Title text=r.name.clone()/>
                        <nav class="breadcrumb" aria-label="breadcrumb">
                            <a href="/wilayah">{t.regions_title}</a>
                            " › "
                            <span>{r.name.clone()}</span>
                        </nav>
                        <h1>{r.name.clone()}</h1>
                        <p class="lead" data-testid="region-summary">
                            {(t.regions_summary)(r.districts.len(), villages, coops)}
                        </p>
                        {r
                            .districts
                            .into_iter()
                            .map(|d| {
                                let count = d.villages.len();
                                view! {
                                    <section class="district" id=format!("kec-{}", d.code)>
                                        <h2>
                                            {t.kecamatan}" "{d.name.clone()}
                                            <span class="badge">{count}" "{t.kelurahan}</span>
                                        </h2>
                                        <div class="table-wrap">
                                            <table>
                                                <thead>
                                                    <tr>
                                                        <th scope="col">{t.kelurahan}</th>
                                                        <th scope="col">{t.kkmp}</th>
                                                        <th scope="col">{t.code}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {d
                                                        .villages
                                                        .into_iter()
                                                        .map(|v| {
                                                            view! {
                                                                <tr class="village">
                                                                    <td>{v.name}</td>
                                                                    <td>
                                                                        {v.cooperative.unwrap_or_else(|| t.no_kkmp.to_string())}
                                                                    </td>
                                                                    <td class="code">{v.code}</td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    </section>
                                }
                            })
                            .collect_view()}
                    }
                }))
            })}
        </Suspense>
    }
}
