use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn admin_manages_queues() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, queue) = app.post("/api/v1/queues", &admin, json!({"name": " Vendas ", "color": "#1E88E5"})).await;
    assert_eq!(status, StatusCode::CREATED, "{queue}");
    assert_eq!((queue["name"].as_str(), queue["color"].as_str()), (Some("Vendas"), Some("#1e88e5")));
    let id = queue["id"].as_i64().expect("id");

    let (status, body) = app.post("/api/v1/queues", &admin, json!({"name": "Vendas", "color": "#000000"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["name"]["code"], "already_in_use", "{body}");

    let (status, body) = app.post("/api/v1/queues", &admin, json!({"name": "", "color": "blue"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["name"]["code"], "required", "{body}");
    assert_eq!(body["error"]["details"]["color"]["code"], "not_color", "{body}");

    let (status, updated) = app.patch(&format!("/api/v1/queues/{id}"), &admin, json!({"color": "#43a047"})).await;
    assert_eq!(
        (status, updated["color"].as_str(), updated["name"].as_str()),
        (StatusCode::OK, Some("#43a047"), Some("Vendas"))
    );

    let (_, list) = app.get("/api/v1/queues", &admin).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert!(list["next_cursor"].is_null());

    assert_eq!(app.delete(&format!("/api/v1/queues/{id}"), &admin).await.0, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&format!("/api/v1/queues/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn admin_manages_users_with_queues() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (_, sales) = app.post("/api/v1/queues", &admin, json!({"name": "Vendas", "color": "#1e88e5"})).await;
    let sales = sales["id"].as_i64().expect("id");
    let (status, user) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"name": "Bia", "email": "Bia@Test.local", "password": "bia-secret-1", "role": "agent", "queue_ids": [sales]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!((user["email"].as_str(), user["queue_ids"].clone()), (Some("bia@test.local"), json!([sales])));
    let id = user["id"].as_i64().expect("id");

    let bia = app.login("bia@test.local", "bia-secret-1").await;
    let (_, me) = app.get("/api/v1/me", &bia).await;
    assert_eq!((me["role"].as_str(), me["queue_ids"].clone()), (Some("agent"), json!([sales])));

    let (status, body) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"name": "Dup", "email": "bia@test.local", "password": "xxxxxxxx", "role": "agent"}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["email"]["code"], "already_in_use", "{body}");

    let (status, body) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"name": "X", "email": "x@test.local", "password": "xxxxxxxx", "role": "agent", "queue_ids": [9999]}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["queue_ids"]["code"], "not_in_company", "{body}");

    let (status, body) = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"name": "X", "email": "x@test.local", "password": "xxxxxxxx", "role": "king"}),
        )
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    let (status, updated) =
        app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"role": "supervisor", "queue_ids": []})).await;
    assert_eq!(
        (status, updated["role"].as_str(), updated["queue_ids"].clone()),
        (StatusCode::OK, Some("supervisor"), json!([]))
    );

    // A new password set by the admin ends the user's sessions.
    app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"password": "reset-pass-2"})).await;
    assert_eq!(app.get("/api/v1/me", &bia).await.0, StatusCode::UNAUTHORIZED);
    app.login("bia@test.local", "reset-pass-2").await;

    assert_eq!(app.delete(&format!("/api/v1/users/{id}"), &admin).await.0, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admins_cannot_delete_or_demote_themselves() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (_, me) = app.get("/api/v1/me", &admin).await;
    let id = me["id"].as_i64().expect("id");
    let (status, body) = app.delete(&format!("/api/v1/users/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::CONFLICT, "cannot_delete_self");
    let (status, body) = app.patch(&format!("/api/v1/users/{id}"), &admin, json!({"role": "agent"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "cannot_demote_self");
}

#[tokio::test]
async fn only_admins_change_users_and_queues() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for role in ["agent", "supervisor"] {
        let (_, token) = app.user(&admin, &format!("{role}@test.local"), role, &[]).await;
        let (status, body) = app.post("/api/v1/queues", &token, json!({"name": "Q", "color": "#000000"})).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        let (status, body) = app
            .post(
                "/api/v1/users",
                &token,
                json!({"name": "N", "email": "n@test.local", "password": "xxxxxxxx", "role": "admin"}),
            )
            .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
        // Reading the team is allowed, to pick a colleague for a transfer.
        assert_eq!(app.get("/api/v1/users", &token).await.0, StatusCode::OK);
        assert_eq!(app.get("/api/v1/queues", &token).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn lists_page_with_a_cursor() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for i in 0..5 {
        app.post("/api/v1/queues", &admin, json!({"name": format!("Fila {i}"), "color": "#000000"})).await;
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/queues?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path, &admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|q| q["name"].as_str().unwrap_or_default().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/queues?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, (0..5).map(|i| format!("Fila {i}")).collect::<Vec<_>>());
    let (status, body) = app.get("/api/v1/queues?cursor=bogus", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_cursor");
    let (status, body) = app.get("/api/v1/queues?limit=abc", &admin).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn tenants_are_isolated() {
    let app = TestApp::start().await;
    let platform = app.admin().await;
    let (status, created) = app
        .post(
            "/api/v1/companies",
            &platform,
            json!({"name": "Outra Empresa", "admin": {"name": "Olga", "email": "olga@outra.com", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["admin"]["role"], "admin");
    let olga = app.login("olga@outra.com", "olga-secret-1").await;

    let (_, queue) = app.post("/api/v1/queues", &platform, json!({"name": "Vendas", "color": "#1e88e5"})).await;
    let queue_id = queue["id"].as_i64().expect("id");
    let (_, me) = app.get("/api/v1/me", &platform).await;
    let platform_id = me["id"].as_i64().expect("id");

    // The other company sees none of ours and answers 404 for our ids.
    let (_, queues) = app.get("/api/v1/queues", &olga).await;
    assert_eq!(queues["items"], json!([]));
    let (_, users) = app.get("/api/v1/users", &olga).await;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1));
    for path in [format!("/api/v1/queues/{queue_id}"), format!("/api/v1/users/{platform_id}")] {
        let (status, body) = app.get(&path, &olga).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, _) = app.delete(&path, &olga).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Nor can it put our queue on its users.
    let (status, body) = app
        .post("/api/v1/users", &olga, json!({"name": "P", "email": "p@outra.com", "password": "xxxxxxxx", "role": "agent", "queue_ids": [queue_id]}))
        .await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    // And only the platform admin creates companies.
    let (status, body) = app
        .post(
            "/api/v1/companies",
            &olga,
            json!({"name": "X", "admin": {"name": "X", "email": "x@x.com", "password": "xxxxxxxx"}}),
        )
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, companies) = app.get("/api/v1/companies", &platform).await;
    assert_eq!((status, companies.as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
}

/// `atende create-admin` resets the platform admin of the default company; it never promotes
/// another company's user (review #20).
#[tokio::test]
async fn create_admin_never_promotes_another_companys_user() {
    let app = TestApp::start().await;
    let root = app.admin().await;
    let (status, body) = app
        .post(
            "/api/v1/companies",
            &root,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.test", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let refused = atende::domain::bootstrap::create_admin(&app.state, "olga@outra.test", "new-secret-99", "Olga").await;
    assert!(refused.is_err(), "another tenant's user stays where they are");
    let olga = app.login_pair("olga@outra.test", "olga-secret-1").await;
    assert_eq!(olga["user"]["platform_admin"], false);
}
