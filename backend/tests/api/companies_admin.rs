//! The platform admin's companies: read, rename, suspend (its users are refused at sign-in and on
//! every call, with a clear error) and delete with all its data; never their own company.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_error};
use crate::isolation::company;

#[tokio::test]
async fn a_suspended_company_cannot_sign_in_or_call_the_api_until_restored() {
    let app = TestApp::start().await;
    let platform = app.admin().await;
    let (id, olga) = company(&app, &platform, "Beta Ltda", "olga@beta.test", "Olga").await;
    let (status, body) = app.post("/api/v1/api-tokens", &olga, json!({"name": "ERP"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let api_token = body["token"].as_str().unwrap().to_owned();

    let (status, read) = app.get(&format!("/api/v1/companies/{id}"), &platform).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["suspended"], false);
    let (status, renamed) =
        app.patch(&format!("/api/v1/companies/{id}"), &platform, json!({"name": "Beta S.A.", "suspended": true})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!((renamed["name"].as_str(), renamed["suspended"].as_bool()), (Some("Beta S.A."), Some(true)));

    for token in [&olga, &api_token] {
        let (status, body) = app.get("/api/v1/me", token).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "company_suspended");
    }
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "olga@beta.test", "password": crate::isolation::PASSWORD})),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "company_suspended");
    // Other companies go on.
    let (status, _) = app.get("/api/v1/me", &platform).await;
    assert_eq!(status, StatusCode::OK);

    app.patch(&format!("/api/v1/companies/{id}"), &platform, json!({"suspended": false})).await;
    let (status, _) = app.get("/api/v1/me", &olga).await;
    assert_eq!(status, StatusCode::OK, "restored");
}

#[tokio::test]
async fn deleting_a_company_removes_its_data_but_never_the_platform_admins_own() {
    let app = TestApp::start().await;
    let platform = app.admin().await;
    let (id, olga) = company(&app, &platform, "Beta Ltda", "olga@beta.test", "Olga").await;
    // Some data of its own: a queue, a simulator connection, a ticket with messages, a webhook.
    let queue = app.queue(&olga, "Vendas").await;
    let connection = app.simulator(&olga, Some(queue)).await;
    app.inbound(&olga, connection, "+5511987650009", "Oi").await;
    let (status, body) = app.post("/api/v1/tags", &olga, json!({"name": "VIP", "color": "#1e88e5"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (_, me) = app.get("/api/v1/me", &platform).await;
    let own = me["company_id"].as_i64().unwrap();
    let (status, body) = app.delete(&format!("/api/v1/companies/{own}"), &platform).await;
    assert_error(status, &body, StatusCode::CONFLICT, "company_protected");
    let (status, body) = app.patch(&format!("/api/v1/companies/{own}"), &platform, json!({"suspended": true})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "company_protected");

    let (status, body) = app.delete(&format!("/api/v1/companies/{id}"), &olga).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.delete(&format!("/api/v1/companies/{id}"), &platform).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = app.get(&format!("/api/v1/companies/{id}"), &platform).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, _) = app.get("/api/v1/me", &olga).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "its users are gone");
    // Nor its dashboard's counts, which the triggers on its tickets wrote as they went.
    let counts = sea_orm::Statement::from_string(
        sea_orm::ConnectionTrait::get_database_backend(&app.state.db),
        format!("SELECT COUNT(*) FROM active_ticket_counts WHERE company_id = {id}"),
    );
    let left = sea_orm::ConnectionTrait::query_one_raw(&app.state.db, counts).await.expect("count").expect("a row");
    assert_eq!(left.try_get_by_index::<i64>(0).expect("a number"), 0);
    // The e-mail is free again: nothing of the company is left behind.
    company(&app, &platform, "Beta de novo", "olga@beta.test", "Olga").await;
    let (_, list) = app.get("/api/v1/companies", &platform).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
}
