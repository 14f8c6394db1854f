use crate::query::use_query_map;
use crate::{
    api::{take_flash, take_issued_codes},
    app::use_lang,
    components::{
        print::PrintButton,
        status::{server_fn_message, ErrorNotice, FlashNotice},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/peserta/kode`: the codes just issued, grouped by kelurahan, ready to print (shown once).
#[component]
pub fn IssuedCodesPage() -> impl IntoView {
    let t = use_lang().t();
    let issued = Resource::new(|| (), |_| take_issued_codes());
    view! {
        <Title text=t.codes_title/>
        <nav class="breadcrumb no-print">
            <a href="/peserta">{t.people_title}</a>
            " › "
            <span>{t.codes_title}</span>
        </nav>
        <h1>{t.codes_title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match issued.await {
                    Err(e) => view! { <ErrorNotice message=server_fn_message(&e)/> }.into_any(),
                    Ok(None) => view! { <p class="empty">{t.codes_none}</p> }.into_any(),
                    Ok(Some(list)) => {
                        let mut groups: Vec<(String, Vec<crate::api::IssuedCodeView>)> = Vec::new();
                        for c in list.codes {
                            let key = format!("{}, {}", c.village, c.district);
                            match groups.last_mut() {
                                Some((k, items)) if *k == key => items.push(c),
                                _ => groups.push((key, vec![c])),
                            }
                        }
                        view! {
                            <div class="notice notice-error no-print" role="alert">{t.codes_once}</div>
                            <p>{t.codes_how}</p>
                            <p><strong>{t.codes_valid_until}": "{list.expires}</strong></p>
                            <p class="no-print"><PrintButton label=t.codes_print.to_string()/></p>
                            {groups.into_iter().map(|(place, items)| view! {
                                <section class="code-group">
                                    <h2>{t.kelurahan}" "{place}</h2>
                                    <div class="table-wrap">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">{t.f_name}</th>
                                                    <th scope="col">{t.f_phone}</th>
                                                    <th scope="col">{t.code_col}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {items.into_iter().map(|c| view! {
                                                    <tr class="issued-code">
                                                        <td>{c.name}{c.reset.then(|| view! { <small class="hint">" ("{t.codes_reset_note}")"</small> })}</td>
                                                        <td>{c.contact}</td>
                                                        <td>
                                                            <code class="otp" data-testid="otp">{c.code}</code>
                                                            <br/>
                                                            <small class="hint link-text">{c.link}</small>
                                                        </td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                </section>
                            }).collect_view()}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// `/aktivasi`: a participant sets their password with a one-time code.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let t = use_lang().t();
    let query = use_query_map();
    let code = query.read_untracked().get("kode").unwrap_or_default();
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text=t.activate_title/>
        <section class="narrow">
            <h1>{t.activate_title}</h1>
            <p class="lead">{t.activate_lead}</p>
            <Suspense fallback=|| ()>
                {move || {
                    let code = code.clone();
                    Suspend::new(async move {
                        let flash = flash.await.ok().flatten();
                        let login = flash.as_ref().and_then(|f| f.login.clone()).unwrap_or_default();
                        view! {
                            <FlashNotice flash=flash/>
                            <form method="post" action="/auth/aktivasi" class="form card">
                                <label for="login">{t.login_id_label}</label>
                                <input id="login" name="login" type="text" autocomplete="username" required maxlength="254" value=login/>
                                <label for="kode">{t.code_for_one}</label>
                                <input id="kode" name="kode" type="text" autocomplete="one-time-code" required maxlength="20" value=code autocapitalize="characters" spellcheck="false"/>
                                <label for="sandi_baru">{t.new_password}</label>
                                <input id="sandi_baru" name="sandi_baru" type="password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="sandi-hint"/>
                                <small id="sandi-hint" class="hint">{t.password_hint}</small>
                                <label for="sandi_ulang">{t.repeat_password}</label>
                                <input id="sandi_ulang" name="sandi_ulang" type="password" autocomplete="new-password" required minlength="8" maxlength="128"/>
                                <button type="submit" class="button">{t.activate_button}</button>
                            </form>
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
