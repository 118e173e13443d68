use super::*;

fn app(per_page: usize) -> App {
    App::new(
        true,
        "k".into(),
        "http://127.0.0.1:1".into(),
        per_page,
        Arc::new(Counters::default()),
    )
}

#[test]
fn seed_creates_the_documented_records() {
    let app = app(100);
    let store = app.read();
    for res in [Res::Users, Res::Companies, Res::Projects, Res::Tasks] {
        assert!(store.exists(res, 1), "{res:?} 1 missing");
    }
    let project = store
        .get(Res::Projects, 1)
        .map(Row::value)
        .unwrap_or_default();
    assert_eq!(project["tasks"][0]["id"], json!(1));
    assert_eq!(project["customer"]["id"], json!(1));
    assert_eq!(store.get(Res::Tasks, 1).map(|t| t.idx.project_id), Some(1));
}

#[test]
fn bulk_activities_are_valid_json_and_indexed() {
    let app = app(100);
    app.insert_bulk_activities(1000);
    let store = app.read();
    assert_eq!(store.table(Res::Activities).len(), 1000);
    let row = store
        .get(Res::Activities, 1000)
        .map(Row::value)
        .unwrap_or_default();
    assert_eq!(row["id"], json!(1000));
    assert_eq!(row["project"]["id"], json!(1));
    assert!(row["date"].as_str().is_some_and(|d| d.len() == 10));
    assert_eq!(
        store.get(Res::Activities, 5).and_then(|r| r.idx.date),
        NaiveDate::from_ymd_opt(2024, 1, 5)
    );
}

#[test]
fn authorization_schemes() {
    let app = app(100);
    let mut headers = HeaderMap::new();
    assert!(!app.authorized(&headers));
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Token token=k"),
    );
    assert!(app.authorized(&headers));
    headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer k"));
    assert!(app.authorized(&headers));
    headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
    assert!(!app.authorized(&headers));
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Token token=\"k\""),
    );
    assert!(app.authorized(&headers));
}
