use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn login_returns_tokens_and_the_user() {
    let app = TestApp::start().await;
    let pair = app.login_pair(" Admin@Test.Local ", ADMIN_PASSWORD).await;
    assert!(pair["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert!(pair["refresh_token"].as_str().is_some_and(|t| t.starts_with("rt_")));
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["user"]["email"], ADMIN_EMAIL);
    assert_eq!(pair["user"]["role"], "admin");
    assert_eq!(pair["user"]["platform_admin"], true);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::start().await;
    for (email, password) in [(ADMIN_EMAIL, "wrong-password"), ("nobody@test.local", ADMIN_PASSWORD)] {
        let (status, body) = app
            .send(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})))
            .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
}

#[tokio::test]
async fn login_is_rate_limited_per_email_with_retry_after() {
    let app = TestApp::start_with(|c| c.login_limit_per_email = 3).await;
    let attempt = || {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": "nope-nope"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(attempt().await.expect("send").status(), StatusCode::UNAUTHORIZED);
    }
    let refused = attempt().await.expect("send");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let (status, body) = read(refused).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    // Even the right password is refused until the window passes.
    let (status, _) = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn login_is_rate_limited_per_address() {
    let app = TestApp::start_with(|c| c.login_limit_per_ip = 2).await;
    for email in ["a@x.com", "b@x.com"] {
        let (status, _) = app
            .send(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": "whatever1"})))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = app
        .send(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "c@x.com", "password": "whatever1"})))
        .await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_session() {
    // No grace: any reuse counts as theft.
    let app = TestApp::start_with(|c| c.refresh_grace = std::time::Duration::ZERO).await;
    let first = app.login_pair(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refresh = |token: serde_json::Value| {
        app.send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": token})))
    };

    let (status, second) = refresh(first["refresh_token"].clone()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let second_access = second["access_token"].as_str().expect("token").to_owned();
    assert_eq!(app.get("/api/v1/me", &second_access).await.0, StatusCode::OK);

    // The first refresh token was used: presenting it again is theft, and ends the session.
    let (status, body) = refresh(first["refresh_token"].clone()).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    let (status, body) = refresh(second["refresh_token"].clone()).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    let (status, body) = app.get("/api/v1/me", &second_access).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");

    // Another login still works.
    app.admin().await;
}

#[tokio::test]
async fn garbage_refresh_token_is_refused() {
    let app = TestApp::start().await;
    let (status, body) =
        app.send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": "rt_nope"}))).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::start().await;
    let pair = app.login_pair(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let access = pair["access_token"].as_str().expect("token");
    let (status, _) = app
        .send(Method::POST, "/api/v1/auth/logout", Some(access), Some(json!({"refresh_token": pair["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", access).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": pair["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_without_a_body_works() {
    let app = TestApp::start().await;
    let access = app.admin().await;
    let (status, _) = app.send(Method::POST, "/api/v1/auth/logout", Some(&access), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &access).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn requests_without_or_with_bad_tokens_are_401() {
    let app = TestApp::start().await;
    let (status, body) = app.send(Method::GET, "/api/v1/me", None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    for token in ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x", "atd_unknown"] {
        let (status, body) = app.get("/api/v1/me", token).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn profile_edit_needs_the_current_password_for_credentials() {
    let app = TestApp::start().await;
    let token = app.admin().await;

    let (status, me) = app.patch("/api/v1/me", &token, json!({"name": "Ana Souza", "signature_enabled": false})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!((me["name"].as_str(), me["signature_enabled"].as_bool()), (Some("Ana Souza"), Some(false)));

    let (status, body) = app.patch("/api/v1/me", &token, json!({"password": "new-secret-99"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["current_password"]["code"], "current_password_required", "{body}");

    let (status, body) =
        app.patch("/api/v1/me", &token, json!({"password": "new-secret-99", "current_password": "wrong-one"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    let (status, body) =
        app.patch("/api/v1/me", &token, json!({"password": "short", "current_password": ADMIN_PASSWORD})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["password"]["code"], "too_short", "{body}");
    assert_eq!(body["error"]["details"]["password"]["min"], 8, "{body}");

    let (status, _) = app
        .patch(
            "/api/v1/me",
            &token,
            json!({"password": "new-secret-99", "email": "ana@test.local", "current_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.login("ana@test.local", "new-secret-99").await;
    let (status, _) = app.get("/api/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK, "the session that changed the password goes on");
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked_and_are_admin_only() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (status, created) = app.post("/api/v1/api-tokens", &admin, json!({"name": "CRM"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("atd_"));

    let (status, me) = app.get("/api/v1/me", &token).await;
    assert_eq!((status, me["email"].as_str()), (StatusCode::OK, Some(ADMIN_EMAIL)));

    let (_, list) = app.get("/api/v1/api-tokens", &admin).await;
    let listed = &list.as_array().expect("array")[0];
    assert_eq!(listed["name"], "CRM");
    assert!(listed.get("token").is_none(), "the secret is never listed: {listed}");
    assert!(token.starts_with(listed["prefix"].as_str().expect("prefix")));

    let (_, agent) = app.user(&admin, "agent@test.local", "agent", &[]).await;
    let (status, body) = app.post("/api/v1/api-tokens", &agent, json!({"name": "mine"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let id = created["id"].as_i64().expect("id");
    assert_eq!(app.delete(&format!("/api/v1/api-tokens/{id}"), &admin).await.0, StatusCode::NO_CONTENT);
    let (status, body) = app.get("/api/v1/me", &token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
    let (status, body) = app.delete(&format!("/api/v1/api-tokens/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_jwt_secret_is_generated_once_and_kept_private() {
    let app = TestApp::start().await;
    let path = app.state.config.data_dir.join("jwt_secret");
    let secret = std::fs::read_to_string(&path).expect("secret file");
    assert!(secret.len() >= 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
    }
}

/// Behind a trusted reverse proxy every client arrives from the proxy's address: the limiter
/// counts the address the proxy forwards for, and a client cannot forge it (review #8).
#[tokio::test]
async fn behind_a_trusted_proxy_the_limiter_counts_each_client() {
    let app = TestApp::start_with(|c| {
        c.login_limit_per_ip = 2;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    let login = |client: &'static str, email: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": email, "password": "whatever1"}))
            .send()
    };
    for (client, email) in [("203.0.113.1", "a@x.com"), ("203.0.113.1", "b@x.com"), ("203.0.113.2", "c@x.com")] {
        assert_eq!(login(client, email).await.expect("send").status(), StatusCode::UNAUTHORIZED, "{client}");
    }
    let third = login("203.0.113.1", "d@x.com").await.expect("send");
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS, "the first client used its quota");
    // A forged entry left of the proxy's own does not give a fresh quota.
    let forged = login("198.51.100.9, 203.0.113.1", "e@x.com").await.expect("send");
    assert_eq!(forged.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Wrong passwords for an account slow down the address they come from, not the account's owner
/// elsewhere: guessing the platform admin's password from one place cannot lock them out (review #8).
#[tokio::test]
async fn failures_for_an_account_do_not_lock_out_its_owner_elsewhere() {
    let app = TestApp::start_with(|c| {
        c.login_limit_per_email = 3;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    let login = |client: &'static str, password: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": ADMIN_EMAIL, "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(login("203.0.113.66", "guess-guess").await.expect("send").status(), StatusCode::UNAUTHORIZED);
    }
    let attacker = login("203.0.113.66", ADMIN_PASSWORD).await.expect("send");
    assert_eq!(attacker.status(), StatusCode::TOO_MANY_REQUESTS, "the guessing address waits, even with the password");
    let owner = login("198.51.100.20", ADMIN_PASSWORD).await.expect("send");
    assert_eq!(owner.status(), StatusCode::OK, "the admin signs in from their own address");
}

/// Two tabs refreshing with the same token at once (or a retry after a lost answer) both get a
/// working pair: within `ATENDE_REFRESH_GRACE_SECS` a reuse is not taken for theft (review #16).
#[tokio::test]
async fn racing_refreshes_keep_the_session() {
    let app = TestApp::start().await;
    let first = app.login_pair(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refresh =
        || app.send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({"refresh_token": first["refresh_token"]})));
    let ((a, pair_a), (b, pair_b)) = tokio::join!(refresh(), refresh());
    assert_eq!((a, b), (StatusCode::OK, StatusCode::OK), "{pair_a} {pair_b}");
    for pair in [&pair_a, &pair_b] {
        let access = pair["access_token"].as_str().expect("token");
        assert_eq!(app.get("/api/v1/me", access).await.0, StatusCode::OK);
    }
    assert_ne!(pair_a["refresh_token"], pair_b["refresh_token"]);
}

/// The token's session, user and company are read together on each request: a session id put
/// into another user's token finds nothing, and a role change applies to tokens already issued.
#[tokio::test]
async fn a_token_acts_as_its_sessions_user_with_their_current_role() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let (agent_id, agent) = app.user(&admin, "agent@test.local", "agent", &[]).await;
    let (status, body) = app.get("/api/v1/api-tokens", &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, body) = app.patch(&format!("/api/v1/users/{agent_id}"), &admin, json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get("/api/v1/api-tokens", &agent).await;
    assert_eq!(status, StatusCode::OK, "the same token, now an admin's: {body}");
    let (_, me) = app.get("/api/v1/me", &agent).await;
    assert_eq!((me["id"].as_i64(), me["role"].as_str()), (Some(agent_id), Some("admin")));

    // The admin's session id under the agent's name: signed with the real key, still refused.
    let admin_claims = app.state.jwt.verify(&admin).expect("the admin's token verifies");
    let mut forged = app.state.jwt.verify(&agent).expect("the agent's token verifies");
    forged.sid = admin_claims.sid;
    let forged = app.state.jwt.sign(&forged).expect("sign");
    let (status, body) = app.get("/api/v1/me", &forged).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthenticated");
}
