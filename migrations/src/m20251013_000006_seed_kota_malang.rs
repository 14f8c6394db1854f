//! Reference data: Jawa Timur › Kota Malang, its 5 kecamatan and 57 kelurahan (from
//! `migrations/data/kota-malang-kelurahan.csv`), each with its Koperasi Kelurahan Merah Putih.
//!
//! Codes follow BPS's scheme (provinsi 2 digits, kabupaten/kota 4, kecamatan 7, kelurahan 10).
//! The kecamatan codes are BPS's; the kelurahan suffixes are numbered in the CSV's order and
//! should be checked against BPS before exchanging data with other systems.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

const CSV: &str = include_str!("../data/kota-malang-kelurahan.csv");
const PROVINCE: (&str, &str) = ("35", "Jawa Timur");
const REGENCY: (&str, &str) = ("3573", "Kota Malang");
const DISTRICTS: &[(&str, &str)] = &[
    ("3573010", "Kedungkandang"),
    ("3573020", "Sukun"),
    ("3573030", "Klojen"),
    ("3573040", "Blimbing"),
    ("3573050", "Lowokwaru"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row of the reference CSV, checked.
struct Row<'a> {
    district: &'a str,
    village: &'a str,
}

fn parse_csv() -> Result<Vec<Row<'static>>, DbErr> {
    let mut rows = Vec::new();
    for (i, line) in CSV.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        match fields.as_slice() {
            [kota, district, village] if *kota == REGENCY.1 && !village.is_empty() => {
                rows.push(Row { district, village })
            }
            _ => {
                return Err(DbErr::Migration(format!(
                    "kota-malang-kelurahan.csv:{}: expected `Kota Malang,<kecamatan>,<kelurahan>`",
                    i + 1
                )))
            }
        }
    }
    Ok(rows)
}

async fn id_of(manager: &SchemaManager<'_>, table: &'static str, code: &str) -> Result<i64, DbErr> {
    let db = manager.get_connection();
    let select = Query::select().column("id").from(table).and_where(Expr::col("code").eq(code)).to_owned();
    let stmt: Statement = db.get_database_backend().build(&select);
    let row = db
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| DbErr::Migration(format!("{table} {code} missing after insert")))?;
    // SQLite reports INTEGER as i64, PostgreSQL as i32.
    row.try_get::<i64>("", "id").or_else(|_| row.try_get::<i32>("", "id").map(i64::from))
}

async fn insert(
    manager: &SchemaManager<'_>,
    table: &'static str,
    columns: &[&'static str],
    values: Vec<SimpleExpr>,
) -> Result<(), DbErr> {
    let stmt = Query::insert().into_table(table).columns(columns.iter().copied()).values_panic(values).to_owned();
    manager.exec_stmt(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let rows = parse_csv()?;
        insert(manager, "provinces", &["code", "name"], vec![PROVINCE.0.into(), PROVINCE.1.into()]).await?;
        let province_id = id_of(manager, "provinces", PROVINCE.0).await?;
        insert(
            manager,
            "regencies",
            &["province_id", "code", "name", "kind"],
            vec![province_id.into(), REGENCY.0.into(), REGENCY.1.into(), "kota".into()],
        )
        .await?;
        let regency_id = id_of(manager, "regencies", REGENCY.0).await?;
        for (district_code, district_name) in DISTRICTS {
            insert(
                manager,
                "districts",
                &["regency_id", "code", "name"],
                vec![regency_id.into(), (*district_code).into(), (*district_name).into()],
            )
            .await?;
            let district_id = id_of(manager, "districts", district_code).await?;
            for (n, row) in rows.iter().filter(|r| r.district == *district_name).enumerate() {
                let village_code = format!("{district_code}{:03}", n + 1);
                insert(
                    manager,
                    "villages",
                    &["district_id", "code", "name", "kind"],
                    vec![district_id.into(), village_code.clone().into(), row.village.into(), "kelurahan".into()],
                )
                .await?;
                let village_id = id_of(manager, "villages", &village_code).await?;
                insert(
                    manager,
                    "cooperatives",
                    &["village_id", "name"],
                    vec![village_id.into(), format!("Koperasi Kelurahan Merah Putih {}", row.village).into()],
                )
                .await?;
            }
        }
        let unknown: Vec<&str> =
            rows.iter().filter(|r| !DISTRICTS.iter().any(|(_, d)| *d == r.district)).map(|r| r.district).collect();
        if !unknown.is_empty() {
            return Err(DbErr::Migration(format!("kota-malang-kelurahan.csv names unknown kecamatan: {unknown:?}")));
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let regency =
            Query::select().column("id").from("regencies").and_where(Expr::col("code").eq(REGENCY.0)).to_owned();
        let districts = Query::select()
            .column("id")
            .from("districts")
            .and_where(Expr::col("regency_id").in_subquery(regency.clone()))
            .to_owned();
        let villages = Query::select()
            .column("id")
            .from("villages")
            .and_where(Expr::col("district_id").in_subquery(districts.clone()))
            .to_owned();
        for stmt in [
            Query::delete()
                .from_table("cooperatives")
                .and_where(Expr::col("village_id").in_subquery(villages.clone()))
                .to_owned(),
            Query::delete().from_table("villages").and_where(Expr::col("id").in_subquery(villages)).to_owned(),
            Query::delete().from_table("districts").and_where(Expr::col("id").in_subquery(districts)).to_owned(),
            Query::delete().from_table("regencies").and_where(Expr::col("code").eq(REGENCY.0)).to_owned(),
            Query::delete().from_table("provinces").and_where(Expr::col("code").eq(PROVINCE.0)).to_owned(),
        ] {
            db.execute_raw(backend.build(&stmt)).await?;
        }
        Ok(())
    }
}
