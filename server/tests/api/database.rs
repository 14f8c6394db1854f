use crate::db_test;
use domain::{demo, entities::person, services::audit};
use sea_orm::{EntityTrait, PaginatorTrait};

db_test!(the_demo_is_seeded_once_and_never_over_existing_data, |app| {
    let first = demo::seed(app.state.db.write()).await.unwrap();
    assert_eq!(first, demo::Outcome::Seeded { participants: 114 });
    let people = person::Entity::find().count(app.state.db.read()).await.unwrap();
    assert_eq!(people, 114 + 3, "114 participants and three staff");
    let again = demo::seed(app.state.db.write()).await.unwrap();
    assert_eq!(again, demo::Outcome::SkippedNotEmpty);
    assert_eq!(person::Entity::find().count(app.state.db.read()).await.unwrap(), people);
    let niks: Vec<String> =
        person::Entity::find().all(app.state.db.read()).await.unwrap().into_iter().filter_map(|p| p.nik).collect();
    assert_eq!(niks.len(), 114);
    assert!(niks.iter().all(|n| n.len() == 16 && n.starts_with("3573") && n.chars().all(|c| c.is_ascii_digit())));
});

db_test!(concurrent_writes_beside_reads_never_fail_with_database_locked, |app| {
    let mut tasks = Vec::new();
    for i in 0..64 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                audit::record(state.db.write(), None, "test.write", "test", Some(i.to_string()), None).await.map(|_| ())
            } else {
                domain::services::regions::regency_summaries(state.db.read()).await.map(|_| ())
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("no write or read may fail under concurrency");
    }
    let written = domain::entities::audit_log::Entity::find().count(app.state.db.read()).await.unwrap();
    assert_eq!(written, 32);
});

db_test!(the_database_refuses_a_second_kkmp_for_the_same_kelurahan, |app| {
    use domain::entities::{cooperative, village};
    use sea_orm::{ActiveModelTrait, Set};
    let v = village::Entity::find().one(app.state.db.read()).await.unwrap().unwrap();
    let err = cooperative::ActiveModel {
        village_id: Set(v.id),
        name: Set("KKMP kedua".into()),
        created_at: Set(chrono_now()),
        ..Default::default()
    }
    .insert(app.state.db.write())
    .await
    .unwrap_err();
    let mapped = domain::AppError::on_unique(err, "kelurahan", "sudah punya KKMP", "already has a KKMP");
    assert_eq!(mapped.status(), 409, "{mapped:?}");
});

fn chrono_now() -> sea_orm::prelude::DateTimeUtc {
    sea_orm::prelude::DateTimeUtc::from(std::time::SystemTime::now())
}
