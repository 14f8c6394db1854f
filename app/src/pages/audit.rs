use crate::query::use_query_map;
use crate::{api::list_audit, app::use_lang, components::status::or_error, i18n::encode_component};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/audit`: the audit log, newest first, for admin.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let t = use_lang().t();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("aksi").filter(|a| !a.is_empty()), q.get("hal").and_then(|p| p.parse::<u64>().ok()))
    };
    let lines = Resource::new(params, |(action, page)| list_audit(action, page));
    view! {
        <Title text=t.audit_title/>
        <h1>{t.audit_title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let (action, _) = params();
                or_error(lines.await.map(|log| {
                    let last = log.total.div_ceil(100).max(1);
                    let link = {
                        let action = action.clone();
                        move |page: u64| match &action {
                            Some(a) => format!("/audit?hal={page}&aksi={}", encode_component(a)),
                            None => format!("/audit?hal={page}"),
                        }
                    };
                    view! {
                        <form method="get" action="/audit" class="filters">
                            <input name="aksi" type="search" placeholder=t.audit_filter value=action.clone().unwrap_or_default()/>
                            <button type="submit" class="button">{t.search_button}</button>
                        </form>
                        <div class="table-wrap">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">{t.audit_when}</th>
                                        <th scope="col">{t.audit_who}</th>
                                        <th scope="col">{t.audit_what}</th>
                                        <th scope="col">{t.audit_detail}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {log.lines.into_iter().map(|l| view! {
                                        <tr class="audit-line">
                                            <td class="code">{l.at}</td>
                                            <td>{l.actor.unwrap_or_else(|| if l.ip.is_some() { "tamu (belum masuk)" } else { "sistem" }.into())}<br/><small class="hint">{l.ip.unwrap_or_default()}</small></td>
                                            <td><code>{l.action}</code><br/><small class="hint">{format!("{} {}", l.entity, l.entity_id.unwrap_or_default())}</small></td>
                                            <td><small>{l.detail.unwrap_or_default()}</small></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager">
                            {(log.page > 1).then(|| view! { <a rel="prev" href=link(log.page - 1)>{t.prev_page}</a> })}
                            <span>{format!("{} / {}", log.page, last)}</span>
                            {(log.page < last).then(|| view! { <a rel="next" href=link(log.page + 1)>{t.next_page}</a> })}
                        </nav>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
