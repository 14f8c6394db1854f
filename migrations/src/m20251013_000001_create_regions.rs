//! The region hierarchy provinsi › kabupaten/kota › kecamatan › kelurahan/desa, and the one
//! Koperasi Merah Putih of each kelurahan/desa. Sized for the whole country (38 provinsi,
//! 514 kabupaten/kota, ~83,000 kelurahan/desa), not only Kota Malang.

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
                .table("provinces")
                .col(pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .to_owned(),
            vec![],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("regencies")
                .col(pk_auto("id"))
                .col(integer("province_id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("kind").check(one_of("kind", &["kota", "kabupaten"])))
                .foreign_key(&mut fk("regencies", "province_id", "provinces", false))
                .to_owned(),
            vec![index("regencies", &["province_id", "name"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("districts")
                .col(pk_auto("id"))
                .col(integer("regency_id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .foreign_key(&mut fk("districts", "regency_id", "regencies", false))
                .to_owned(),
            vec![index("districts", &["regency_id", "name"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("villages")
                .col(pk_auto("id"))
                .col(integer("district_id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(string("kind").check(one_of("kind", &["kelurahan", "desa"])))
                .foreign_key(&mut fk("villages", "district_id", "districts", false))
                .to_owned(),
            vec![index("villages", &["district_id", "name"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("cooperatives")
                .col(pk_auto("id"))
                // One KKMP per kelurahan/desa: the unique key is the rule, not a convention.
                .col(integer_uniq("village_id"))
                .col(string("name"))
                // Nomor Induk Koperasi, when the cooperative has one.
                .col(string_null("registration_number").unique_key())
                // Nomor badan hukum (AHU) when known.
                .col(string_null("legal_entity_number"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("cooperatives", "village_id", "villages", false))
                .to_owned(),
            vec![],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["cooperatives", "villages", "districts", "regencies", "provinces"]).await
    }
}
