use crate::{
    api::{staff_roles, take_flash},
    app::use_lang,
    components::status::{or_error, FlashNotice},
};
use leptos::prelude::*;
use leptos_meta::Title;
use types::Role;

/// `/admin/peran`: who holds which staff role where; grant and revoke (admin only).
#[component]
pub fn RolesPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let roles = Resource::new(|| (), |_| staff_roles());
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text=t.roles_admin_title/>
        <h1>{t.roles_admin_title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(roles.await.map(|v| view! {
                    <FlashNotice flash=flash/>
                    <section class="card">
                        <h2>{t.roles_grant}</h2>
                        <form method="post" action="/admin/peran" class="form">
                            <label for="login">{t.login_id_label}</label>
                            <input id="login" name="login" type="text" required maxlength="254"/>
                            <label for="nama">{t.roles_new_name}</label>
                            <input id="nama" name="nama" type="text" maxlength="150"/>
                            <label for="peran">{t.roles_title}</label>
                            <select id="peran" name="peran">
                                {[Role::Panitia, Role::Pejabat, Role::Admin].into_iter().map(|r| view! { <option value=r.code()>{lang.label(r)}</option> }).collect_view()}
                            </select>
                            <label for="wilayah">{t.roles_scope}</label>
                            <select id="wilayah" name="wilayah">
                                {v.scopes.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                            </select>
                            <button type="submit" class="button">{t.roles_grant}</button>
                        </form>
                    </section>
                    <section>
                        <h2>{t.roles_staff}</h2>
                        <div class="table-wrap">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">{t.f_name}</th>
                                        <th scope="col">{t.roles_title}</th>
                                        <th scope="col">{t.roles_scope}</th>
                                        <th scope="col"><span class="visually-hidden">{t.roles_revoke}</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {v.grants.into_iter().map(|g| view! {
                                        <tr class="grant">
                                            <td>{g.name}<br/><small class="hint">{g.login}</small></td>
                                            <td>{lang.label(g.role)}</td>
                                            <td>{g.scope}</td>
                                            <td>
                                                <form method="post" action="/admin/peran/cabut" class="revoke">
                                                    <input type="hidden" name="id" value=g.id.to_string()/>
                                                    <label class="check"><input type="checkbox" name="yakin" value="1" required/>" "{t.roles_sure}</label>
                                                    <button type="submit" class="link-button">{t.roles_revoke}</button>
                                                </form>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }))
            })}
        </Suspense>
    }
    .into_any()
}
