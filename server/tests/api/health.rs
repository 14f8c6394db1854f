use crate::db_test;
use crate::helpers::module_folder_count;

db_test!(healthz_reports_the_database_the_migration_and_the_modules, |app| {
    let response = app.get("/healthz").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["reachable"], true);
    let backend = if app.backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    assert_eq!(body["database"]["backend"], backend);
    assert_eq!(body["migration"], migrations::latest_migration_name());
    assert_eq!(body["modules"], module_folder_count());
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
});
