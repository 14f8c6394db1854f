//! Modules and reading progress; the diklat (angkatan), its modules, enrolments, sessions
//! (sesi) with their narasumber; attendance with its history; self check-in windows.

use crate::common::{create, drop_all, fk, index, one_of};
use sea_orm_migration::{prelude::*, schema::*};

pub const ATTENDANCE_STATUSES: &[&str] = &["H", "T", "I", "S", "A"];
const ATTENDANCE_SOURCES: &[&str] = &["panitia", "checkin", "paper", "import"];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            Table::create()
                .table("modules")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("title"))
                .col(string("version"))
                .col(string("content_hash"))
                .col(integer("sort_order"))
                .col(integer("jp"))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .to_owned(),
            vec![],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("module_progress")
                .col(pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("module_id"))
                .col(string_null("last_section"))
                .col(timestamp_with_time_zone("started_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk("module_progress", "person_id", "people", true))
                .foreign_key(&mut fk("module_progress", "module_id", "modules", true))
                .to_owned(),
            vec![index("module_progress", &["person_id", "module_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("section_progress")
                .col(big_pk_auto("id"))
                .col(integer("person_id"))
                .col(integer("module_id"))
                // The section's stable anchor: progress survives edits that keep the heading.
                .col(string("section_anchor"))
                .col(timestamp_with_time_zone("read_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("section_progress", "person_id", "people", true))
                .foreign_key(&mut fk("section_progress", "module_id", "modules", true))
                .to_owned(),
            vec![index("section_progress", &["person_id", "module_id", "section_anchor"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("narasumber")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(string("institution"))
                .col(text_null("expertise"))
                .col(string_null("phone"))
                .col(string_null("email"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .to_owned(),
            vec![],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("diklat")
                .col(pk_auto("id"))
                .col(string_uniq("code"))
                .col(string("name"))
                .col(text_null("description"))
                .col(string("venue"))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(integer("total_jp").default(0))
                .col(
                    string("status")
                        .default("draft")
                        .check(one_of("status", &["draft", "open", "running", "finished"])),
                )
                // The organising region: panitia and pejabat see the diklat of their scope.
                .col(integer_null("province_id"))
                .col(integer_null("regency_id"))
                // Completion rule (see the certificates feature).
                .col(integer("min_attendance_pct").default(80))
                .col(boolean("require_pretests").default(false))
                // Certificate numbers: `<prefix>/<year>/<seq>`, sequential per diklat without gaps.
                .col(string("certificate_prefix"))
                .col(integer("next_certificate_seq").default(1))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .check(Expr::col("ends_on").gte(Expr::col("starts_on")))
                .check(Expr::col("min_attendance_pct").between(0, 100))
                .foreign_key(&mut fk("diklat", "province_id", "provinces", false))
                .foreign_key(&mut fk("diklat", "regency_id", "regencies", false))
                .foreign_key(&mut fk("diklat", "created_by", "accounts", false))
                .to_owned(),
            vec![index("diklat", &["regency_id"], false), index("diklat", &["starts_on"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("diklat_modules")
                .col(pk_auto("id"))
                .col(integer("diklat_id"))
                .col(integer("module_id"))
                .col(boolean("post_test_required").default(true))
                .col(integer("sort_order").default(0))
                .foreign_key(&mut fk("diklat_modules", "diklat_id", "diklat", true))
                .foreign_key(&mut fk("diklat_modules", "module_id", "modules", false))
                .to_owned(),
            vec![index("diklat_modules", &["diklat_id", "module_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("enrolments")
                .col(pk_auto("id"))
                .col(integer("diklat_id"))
                .col(integer("person_id"))
                .col(string("status").default("enrolled").check(one_of("status", &["enrolled", "withdrawn"])))
                .col(integer_null("enrolled_by"))
                .col(timestamp_with_time_zone("enrolled_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("enrolments", "diklat_id", "diklat", false))
                .foreign_key(&mut fk("enrolments", "person_id", "people", false))
                .foreign_key(&mut fk("enrolments", "enrolled_by", "accounts", false))
                .to_owned(),
            vec![index("enrolments", &["diklat_id", "person_id"], true), index("enrolments", &["person_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("diklat_sessions")
                .col(pk_auto("id"))
                .col(integer("diklat_id"))
                // Local date and times in Asia/Jakarta (WIB).
                .col(date("session_date"))
                .col(time("starts_at"))
                .col(time("ends_at"))
                .col(string("title"))
                .col(integer_null("module_id"))
                .col(integer_null("narasumber_id"))
                .col(string("room"))
                .col(integer("jp").default(0))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                .foreign_key(&mut fk("diklat_sessions", "diklat_id", "diklat", false))
                .foreign_key(&mut fk("diklat_sessions", "module_id", "modules", false))
                .foreign_key(&mut fk("diklat_sessions", "narasumber_id", "narasumber", false))
                .to_owned(),
            vec![
                index("diklat_sessions", &["diklat_id", "session_date"], false),
                index("diklat_sessions", &["room", "session_date"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("attendance")
                .col(big_pk_auto("id"))
                .col(integer("diklat_session_id"))
                .col(integer("person_id"))
                .col(string("status").check(one_of("status", ATTENDANCE_STATUSES)))
                .col(text_null("note"))
                // For I (izin) and S (sakit).
                .col(text_null("reason"))
                .col(string("source").check(one_of("source", ATTENDANCE_SOURCES)))
                .col(integer_null("marked_by"))
                .col(timestamp_with_time_zone("marked_at").default(Expr::current_timestamp()))
                .col(integer("version").default(1))
                .foreign_key(&mut fk("attendance", "diklat_session_id", "diklat_sessions", false))
                .foreign_key(&mut fk("attendance", "person_id", "people", false))
                .foreign_key(&mut fk("attendance", "marked_by", "accounts", false))
                .to_owned(),
            vec![
                index("attendance", &["diklat_session_id", "person_id"], true),
                index("attendance", &["person_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("attendance_history")
                .col(big_pk_auto("id"))
                .col(big_integer("attendance_id"))
                // The value that was replaced, as it was.
                .col(string("status").check(one_of("status", ATTENDANCE_STATUSES)))
                .col(text_null("note"))
                .col(text_null("reason"))
                .col(string("source").check(one_of("source", ATTENDANCE_SOURCES)))
                .col(integer_null("marked_by"))
                .col(timestamp_with_time_zone("marked_at"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("replaced_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk("attendance_history", "attendance_id", "attendance", false))
                .foreign_key(&mut fk("attendance_history", "marked_by", "accounts", false))
                .to_owned(),
            vec![index("attendance_history", &["attendance_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table("checkin_windows")
                .col(pk_auto("id"))
                .col(integer("diklat_session_id"))
                .col(integer_null("opened_by"))
                .col(timestamp_with_time_zone("opened_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("closes_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                // Check-ins after this many minutes past the session start are marked T.
                .col(integer("late_after_minutes").default(15))
                .col(integer("rotation_seconds").default(30))
                .col(integer("grace_seconds").default(10))
                // Per-window salt mixed into the server-signed rotating codes.
                .col(string("salt"))
                .foreign_key(&mut fk("checkin_windows", "diklat_session_id", "diklat_sessions", false))
                .foreign_key(&mut fk("checkin_windows", "opened_by", "accounts", false))
                .to_owned(),
            vec![index("checkin_windows", &["diklat_session_id"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(
            manager,
            &[
                "checkin_windows",
                "attendance_history",
                "attendance",
                "diklat_sessions",
                "enrolments",
                "diklat_modules",
                "diklat",
                "narasumber",
                "section_progress",
                "module_progress",
                "modules",
            ],
        )
        .await
    }
}
