//! Certificates (numbered, signed, revocable but never deleted) and the audit log.

use crate::common::{create, drop_all, fk, index, one_of};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            Table::create()
                .table("certificates")
                .col(pk_auto("id"))
                .col(integer("diklat_id"))
                .col(integer("person_id"))
                // e.g. KKMP-MLG/2025/000123
                .col(string_uniq("number"))
                .col(integer("seq"))
                // Crockford base32 groups with a check character.
                .col(string_uniq("verification_code"))
                .col(string("status").default("valid").check(one_of("status", &["valid", "revoked"])))
                .col(timestamp_with_time_zone("issued_at").default(Expr::current_timestamp()))
                .col(integer_null("issued_by"))
                .col(date_null("expires_on"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(integer_null("revoked_by"))
                .col(text_null("revocation_reason"))
                // The signed canonical content, its Ed25519 signature and the signing key's id.
                .col(text("payload"))
                .col(string("signature"))
                .col(string("key_id"))
                .check(
                    Expr::col("status")
                        .eq("valid")
                        .or(Expr::col("revoked_at").is_not_null().and(Expr::col("revocation_reason").is_not_null())),
                )
                .foreign_key(&mut fk("certificates", "diklat_id", "diklat", false))
                .foreign_key(&mut fk("certificates", "person_id", "people", false))
                .foreign_key(&mut fk("certificates", "issued_by", "accounts", false))
                .foreign_key(&mut fk("certificates", "revoked_by", "accounts", false))
                .to_owned(),
            vec![
                // Issuing twice for the same person and diklat is impossible.
                index("certificates", &["diklat_id", "person_id"], true),
                index("certificates", &["diklat_id", "seq"], true),
                index("certificates", &["person_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at").default(Expr::current_timestamp()))
                .col(integer_null("actor_account_id"))
                // e.g. "attendance.mark", "certificate.revoke", "demo.seed"
                .col(string("action"))
                .col(string("entity"))
                .col(string_null("entity_id"))
                .col(text_null("detail"))
                .col(string_null("ip"))
                .foreign_key(&mut fk("audit_log", "actor_account_id", "accounts", false))
                .to_owned(),
            vec![index("audit_log", &["entity", "entity_id"], false), index("audit_log", &["at"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["audit_log", "certificates"]).await
    }
}
