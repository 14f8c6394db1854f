use crate::{api::take_import_report, app::use_lang, components::busy::BusyButton};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/peserta/impor`: the upload form and, after an upload, its report (shown once).
#[component]
pub fn ImportPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let report = Resource::new(|| (), |_| take_import_report());
    view! {
        <Title text=t.import_title/>
        <nav class="breadcrumb">
            <a href="/peserta">{t.people_title}</a>
            " › "
            <span>{t.import_title}</span>
        </nav>
        <h1>{t.import_title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <crate::components::status::ErrorNotice message=crate::components::status::server_fn_message(&e)/> }.into_any(),
                    Ok(report) => view! {
                        {report.map(|r| {
                            let ok = r.errors.is_empty();
                            let more = r.error_count.saturating_sub(r.errors.len());
                            view! {
                                <section id="laporan" class="card" data-testid="import-report">
                                    <h2>{t.import_report}</h2>
                                    <div class=if ok { "notice notice-ok" } else { "notice notice-error" } role=if ok { "status" } else { "alert" }>
                                        {if ok {
                                            (t.import_ok)(r.imported, &r.file_name)
                                        } else {
                                            (t.import_failed)(r.error_count, r.rows, &r.file_name)
                                        }}
                                    </div>
                                    {(!ok).then(|| view! {
                                        <div class="table-wrap">
                                            <table>
                                                <thead>
                                                    <tr>
                                                        <th scope="col" class="num">{t.import_line}</th>
                                                        <th scope="col">{t.import_field}</th>
                                                        <th scope="col">{t.import_problem}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {r.errors.into_iter().map(|(line, field, message)| view! {
                                                        <tr class="row-error">
                                                            <td class="num">{line}</td>
                                                            <td><code>{field}</code></td>
                                                            <td>{message}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                        {(more > 0).then(|| view! {
                                            <p class="hint">{format!("… {more} {}", lang.pick("lagi", "more"))}</p>
                                        })}
                                    })}
                                </section>
                            }
                        })}
                        <section class="card">
                            <p>{t.import_lead}</p>
                            <p class="hint">{t.import_columns}</p>
                            <p><a href="/peserta/impor/contoh.csv" download>{t.import_template}</a></p>
                            <form method="post" action="/unggah/peserta" enctype="multipart/form-data" class="form">
                                <label for="berkas">{t.import_file_label}</label>
                                <input id="berkas" name="berkas" type="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
                                <BusyButton label=t.import_button.to_string() busy=t.import_busy.to_string()/>
                            </form>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
