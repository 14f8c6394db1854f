use crate::api::Role;
use crate::{
    app::{use_lang, use_viewer},
    i18n::{encode_component, Lang},
};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// One navigation entry. `roles` empty means everyone sees it; otherwise only callers holding
/// one of those roles (filled in once sign-in exists).
struct NavItem {
    href: &'static str,
    label: fn(&crate::i18n::Strings) -> &'static str,
    roles: &'static [crate::api::Role],
}

const NAV: &[NavItem] = &[
    NavItem { href: "/", label: |t| t.nav_home, roles: &[] },
    NavItem { href: "/modul", label: |t| t.nav_modules, roles: &[] },
    NavItem { href: "/wilayah", label: |t| t.nav_regions, roles: &[] },
    NavItem { href: "/jadwal", label: |t| t.nav_schedule, roles: &[Role::Peserta, Role::Panitia, Role::Admin] },
    NavItem { href: "/presensi", label: |t| t.nav_checkin, roles: &[Role::Peserta] },
    NavItem { href: "/sertifikat", label: |t| t.nav_certificates, roles: &[Role::Peserta] },
    NavItem { href: "/diklat", label: |t| t.nav_diklat, roles: &[Role::Panitia, Role::Admin] },
    NavItem { href: "/peserta", label: |t| t.nav_people, roles: &[Role::Panitia, Role::Admin] },
    NavItem { href: "/admin/peran", label: |t| t.nav_roles, roles: &[Role::Admin] },
    NavItem { href: "/audit", label: |t| t.nav_audit, roles: &[Role::Admin] },
    NavItem { href: "/laporan", label: |t| t.nav_report, roles: &[Role::Pejabat, Role::Panitia, Role::Admin] },
    NavItem { href: "/capaian", label: |t| t.nav_capaian, roles: &[] },
    NavItem { href: "/verifikasi", label: |t| t.nav_verify, roles: &[] },
];

/// Header with the service name and navigation for the caller's roles, the page, the footer.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let location = use_location();
    let path = location.pathname.get_untracked();
    let search = location.search.get_untracked();
    let here = if search.is_empty() { path.clone() } else { format!("{path}?{search}") };
    let viewer = use_viewer();
    let roles: &[crate::api::Role] = viewer.as_ref().map(|v| v.roles.as_slice()).unwrap_or(&[]);
    // The caller's own tasks first (a peserta: Jadwal, Presensi, Sertifikat), then what everyone
    // sees: on a phone the menu wraps, and the first line is what this person came for.
    let mut items: Vec<&NavItem> =
        NAV.iter().filter(|item| item.roles.is_empty() || item.roles.iter().any(|r| roles.contains(r))).collect();
    items.sort_by_key(|item| item.roles.is_empty());
    let nav = items
        .into_iter()
        .map(|item| {
            let current = if item.href == "/" { path == "/" } else { path.starts_with(item.href) };
            view! {
                <li>
                    <a href=item.href aria-current=current.then_some("page")>{(item.label)(t)}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <a class="skip-link" href="#isi">{t.skip_to_content}</a>
        <header class="site-header">
            <div class="container header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-text">
                        <strong>{t.site_name}</strong>
                        <small>{t.site_owner}</small>
                    </span>
                </a>
                <div class="header-tools">
                    <LangSwitch current=lang here=here.clone()/>
                    {match viewer.clone() {
                        Some(v) => {
                            view! {
                                <a class="account-link" href="/akun" title=t.nav_account>{v.name}</a>
                                <form method="post" action="/auth/keluar" class="inline">
                                    <button type="submit" class="link-button">{t.sign_out}</button>
                                </form>
                            }
                                .into_any()
                        }
                        None => {
                            let href = if path.starts_with("/masuk") {
                                "/masuk".to_string()
                            } else {
                                format!("/masuk?ke={}", encode_component(&here))
                            };
                            view! { <a class="button small" href=href>{t.sign_in}</a> }.into_any()
                        }
                    }}
                </div>
            </div>
            <nav class="site-nav" aria-label=t.menu>
                <ul class="container">{nav}</ul>
            </nav>
        </header>
        <main id="isi" class="container">{children()}</main>
        <footer class="site-footer">
            <div class="container">
                <p><strong>{t.site_name}</strong>" — "{t.footer_about}</p>
                <p>{t.site_owner}". "{t.footer_legal}</p>
            </div>
        </footer>
    }
}

/// The language switch: a plain link to `/bahasa/{code}?ke=<this page>`, so it works without
/// JavaScript. Once hydrated it also carries the `#fragment`, which the server never sees,
/// so the reader lands where they were.
#[island]
pub fn LangSwitch(current: Lang, here: String) -> impl IntoView {
    let other = current.other();
    let href = format!("/bahasa/{}?ke={}", other.code(), encode_component(&here));
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let on_click = {
        let href = href.clone();
        move |ev: leptos::ev::MouseEvent| {
            let hash = window().location().hash().unwrap_or_default();
            if !hash.is_empty() {
                ev.prevent_default();
                let _ = window().location().set_href(&format!("{href}{}", encode_component(&hash)));
            }
        }
    };
    view! {
        <a
            class="lang-switch"
            href=href
            hreflang=other.code()
            lang=other.code()
            data-hydrated=move || hydrated.get().then_some("true")
            on:click=on_click
        >
            {other.t().lang_name}
        </a>
    }
}
