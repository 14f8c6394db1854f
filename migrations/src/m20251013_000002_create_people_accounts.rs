//! People (pengurus, pengawas, panitia, officials), their accounts, role grants scoped to a
//! region, server-side sign-in sessions, one-time sign-in codes and login throttling.

use crate::common::{create, drop_all, fk, index, one_of};
use sea_orm_migration::{prelude::*, schema::*};

/// Jabatan codes; labels live in the UI strings.
pub const POSITIONS: &[&str] =
    &["ketua", "wakil_ketua", "sekretaris", "bendahara", "ketua_pengawas", "anggota_pengawas", "anggota", "staf"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            Table::create()
                .table("people")
                .col(pk_auto("id"))
                .col(string("full_name"))
                // NIK-KTP, 16 digits, stored whole so it can be verified; the UI only ever
                // shows it masked.
                .col(string_null("nik").unique_key())
                // E.164 (+62…), normalised at the edge.
                .col(string_null("phone").unique_key())
                // Lower-cased.
                .col(string_null("email").unique_key())
                .col(integer_null("cooperative_id"))
                .col(string_null("position").check(one_of("position", POSITIONS)))
                .col(string_null("gender").check(one_of("gender", &["L", "P"])))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("people", "cooperative_id", "cooperatives", false))
                .to_owned(),
            vec![index("people", &["cooperative_id"], false), index("people", &["full_name"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("accounts")
                .col(pk_auto("id"))
                .col(integer_uniq("person_id"))
                // Argon2id PHC string; NULL until the person sets a password with a one-time code.
                .col(text_null("password_hash"))
                .col(boolean("is_active").default(true))
                .col(timestamp_with_time_zone_null("password_changed_at"))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("accounts", "person_id", "people", false))
                .to_owned(),
            vec![],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("role_grants")
                .col(pk_auto("id"))
                .col(integer("account_id"))
                .col(string("role").check(one_of("role", &["peserta", "panitia", "pejabat", "admin"])))
                // Scope: a province, a kabupaten/kota, or (both NULL) the whole country.
                .col(integer_null("province_id"))
                .col(integer_null("regency_id"))
                .col(integer_null("granted_by"))
                .col(timestamp_with_time_zone("granted_at").default(Expr::current_timestamp()))
                .check(Expr::col("province_id").is_null().or(Expr::col("regency_id").is_null()))
                .foreign_key(&mut fk("role_grants", "account_id", "accounts", true))
                .foreign_key(&mut fk("role_grants", "province_id", "provinces", false))
                .foreign_key(&mut fk("role_grants", "regency_id", "regencies", false))
                .foreign_key(&mut fk("role_grants", "granted_by", "accounts", false))
                .to_owned(),
            vec![index("role_grants", &["account_id", "role", "province_id", "regency_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("auth_sessions")
                // The session id (or its hash), chosen by the session layer.
                .col(string("id").primary_key())
                .col(integer_null("account_id"))
                .col(text("data"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("last_seen_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(&mut fk("auth_sessions", "account_id", "accounts", true))
                .to_owned(),
            vec![index("auth_sessions", &["expires_at"], false), index("auth_sessions", &["account_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("one_time_codes")
                .col(pk_auto("id"))
                .col(integer("account_id"))
                .col(string_uniq("code_hash"))
                .col(string("purpose").check(one_of("purpose", &["first_login", "reset"])))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk("one_time_codes", "account_id", "accounts", true))
                .foreign_key(&mut fk("one_time_codes", "created_by", "accounts", false))
                .to_owned(),
            vec![index("one_time_codes", &["account_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("login_throttles")
                // "account:<id>" or "ip:<address>".
                .col(string("key").primary_key())
                .col(integer("failures").default(0))
                .col(timestamp_with_time_zone("window_started_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
            vec![],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["login_throttles", "one_time_codes", "auth_sessions", "role_grants", "accounts", "people"])
            .await
    }
}
